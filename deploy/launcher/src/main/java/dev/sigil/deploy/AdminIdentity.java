package dev.sigil.deploy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;
import org.bouncycastle.crypto.util.PublicKeyFactory;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.EventJson;

/**
 * An admin's identity as the launcher and the tests hold it: a P-256 key made here (never written anywhere) and the
 * bot certificate Sigil issued for it by a token join, presented to join-service's admin API over mutual TLS.
 */
public final class AdminIdentity {
    /** Refusals that mean "what the bootstrap wrote has not reached every reader yet". */
    private static final Set<String> NOT_YET = Set.of("TOKEN_NOT_FOUND", "BOT_NOT_FOUND", "ROLE_NOT_FOUND", "UNAVAILABLE",
            "ISSUER_UNAVAILABLE", "RATE_LIMITED");

    private final String name;
    private final PrivateKey key;
    private final X509Certificate certificate;

    AdminIdentity(String name, PrivateKey key, X509Certificate certificate) {
        this.name = name;
        this.key = key;
        this.certificate = certificate;
    }

    /** Joins as the admin's bot with its one-time token, over {@code http} (a client trusting Sigil's service CA); ttl like 12h. */
    public static AdminIdentity join(HttpClient http, URI joinUrl, String name, String token, String ttl)
            throws IOException, InterruptedException {
        KeyPair keys = newKeys();
        String publicKey = "ecdsa-sha2-nistp256 " + Base64.getEncoder()
                .encodeToString(OpenSSHPublicKeyUtil.encodePublicKey(PublicKeyFactory.createKey(keys.getPublic().getEncoded())));
        HttpRequest request = HttpRequest.newBuilder(joinUrl.resolve("/v1/join")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(EventJson.write(Map.of("joinMethod", "token", "token", token,
                        "publicKey", publicKey, "ttl", ttl)))).build();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = EventJson.MAPPER.readTree(response.body().isBlank() ? "{}" : response.body());
            if (response.statusCode() == 200) {
                return new AdminIdentity(name, keys.getPrivate(), certificate(body.at("/identity/tlsCertificate").asText()));
            }
            if (!NOT_YET.contains(body.path("code").asText()) || Instant.now().isAfter(deadline)) {
                throw new IOException("admin '" + name + "' could not join: " + response.statusCode() + " " + response.body());
            }
            Thread.sleep(200); // the bootstrap's records are on their way to join-service and the issuer
        }
    }

    public String name() {
        return name;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A TLS context that trusts Sigil's service CA and presents this admin's certificate. */
    public SSLContext sslContext(X509Certificate serviceCa) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("sigil-ca", serviceCa);
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new javax.net.ssl.KeyManager[] { new OneCertificate() }, trustManagers.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up TLS with admin '" + name + "''s certificate", e);
        }
    }

    private static KeyPair newKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate certificate(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.cert.CertificateException e) {
            throw new IllegalStateException("the join answer's tlsCertificate is not an X.509 certificate", e);
        }
    }

    /** Presents the admin's certificate whenever a server asks, whatever CAs it names. */
    private final class OneCertificate extends X509ExtendedKeyManager {
        private static final String ALIAS = "admin";

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return new X509Certificate[] { certificate };
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return key;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] { ALIAS };
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return new String[0];
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
