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
import java.util.Map;
import java.util.UUID;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import dev.sigil.contract.CaBundle;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.Topics;

/** How the launcher and tests come to trust Sigil's CA: read from {@code sigil.ca}, pinned, or loaded as a trust store. */
final class CaTrust {

    static X509Certificate read(String bootstrapServers) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "sigil-launcher-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            consumer.subscribe(List.of(Topics.CA));
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            CaBundle bundle = null;
            while (Instant.now().isBefore(deadline)) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    if (CaBundle.KEY.equals(record.key()) && record.value() != null) {
                        bundle = EventJson.read(record.value(), CaBundle.class);
                    }
                }
                if (bundle != null && consumer.assignment().stream().allMatch(tp -> consumer.position(tp) >= endOffset(consumer, tp))) {
                    return certificate(bundle.tlsCa());
                }
            }
        }
        throw new IllegalStateException("no CA bundle on " + Topics.CA + " within 60 s; is issuer-service running?");
    }

    private static long endOffset(KafkaConsumer<String, String> consumer, org.apache.kafka.common.TopicPartition tp) {
        return consumer.endOffsets(List.of(tp)).get(tp);
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
