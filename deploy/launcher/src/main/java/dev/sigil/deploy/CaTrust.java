package dev.sigil.deploy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;


import dev.sigil.contract.CaBundle;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.TopicReader;
import dev.sigil.contract.Topics;

/** How the launcher and tests come to trust Sigil's service CA: read from {@code sigil.ca}, pinned, or loaded as a trust store. */
final class CaTrust {

    /**
     * The active service CA of the bundle on {@code sigil.ca} (the one that signs join-service's server
     * certificate, and only Sigil's servers'), waiting up to a minute for issuer-service to publish it.
     */
    static X509Certificate read(java.util.Map<String, ?> kafkaClient) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            List<String> bundles = TopicReader.valuesOf(kafkaClient, Topics.CA, CaBundle.KEY, Duration.ofSeconds(30));
            if (!bundles.isEmpty() && bundles.get(bundles.size() - 1) != null) {
                return certificate(EventJson.read(bundles.get(bundles.size() - 1), CaBundle.class).x509Ca(CaBundle.SERVICE));
            }
        }
        throw new IllegalStateException("no CA bundle on " + Topics.CA + " within 60 s; is issuer-service running?");
    }

    static String pin(X509Certificate ca) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ca.getPublicKey().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static SSLContext sslContext(X509Certificate ca) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("sigil-ca", ca);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot trust Sigil's CA", e);
        }
    }

    static X509Certificate certificate(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the CA bundle's certificate is not X.509", e);
        }
    }

    private CaTrust() {
    }
}
