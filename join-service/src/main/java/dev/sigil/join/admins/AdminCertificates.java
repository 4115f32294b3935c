package dev.sigil.join.admins;

import java.security.cert.X509Certificate;

import javax.net.ssl.X509TrustManager;

import jakarta.inject.Singleton;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.TrustOptions;

/**
 * join-service's HTTPS asks every client for a certificate and requires none: bots joining and webhooks present
 * nothing, admins present their bot certificate. The TLS handshake proves the client holds the certificate's key;
 * whether Sigil trusts the certificate is decided per request by {@link AdminAccess} against the bot CAs trusted
 * at that moment (which change during a CA rotation), so the handshake accepts any certificate here.
 */
@Singleton
public class AdminCertificates implements HttpServerOptionsCustomizer {
    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        options.setClientAuth(ClientAuth.REQUEST);
        options.setTrustOptions(TrustOptions.wrap(new DecidedPerRequest()));
    }

    /** Accepts any client certificate at the handshake; never used to trust a server. */
    static final class DecidedPerRequest implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // AdminAccess checks the chain for each request.
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("join-service trusts no servers with this trust manager");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
