package dev.sigil.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A process's identity on the Kafka bus: a directory laid out like a Strimzi KafkaUser Secret, {@code ca.crt} (the
 * bus CA), {@code user.crt} (the client certificate, whose CN is the principal) and {@code user.key} (PKCS#8 PEM,
 * 0600). This is the one place that turns such a directory into Kafka client settings: mutual TLS with that key,
 * trusting only the bus CA.
 */
public final class BusIdentity {
    public static final String CA_FILE = "ca.crt";
    public static final String CERTIFICATE_FILE = "user.crt";
    public static final String KEY_FILE = "user.key";
    /**
     * Optional: the CA of the brokers' certificates where it is not the bus CA (Strimzi: the cluster CA, while a
     * KafkaUser's ca.crt is the clients CA). Without it the brokers are trusted by {@code ca.crt}.
     */
    public static final String BROKER_CA_FILE = "broker-ca.crt";
    /** Where a service finds its identity directory (Quarkus config; env {@code SIGIL_SERVICE_IDENTITY_DIR}). */
    public static final String DIR_PROPERTY = "sigil.service-identity.dir";
    public static final String DIR_ENV = "SIGIL_SERVICE_IDENTITY_DIR";

    /**
     * The security settings of a Kafka client (producer, consumer, admin, Streams) speaking for the identity in
     * {@code dir}. PEM values are given inline, so no key store file or password is needed; Kafka treats them as
     * passwords and never logs them.
     */
    public static Map<String, String> securitySettings(Path dir) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("security.protocol", "SSL");
        s.put("ssl.keystore.type", "PEM");
        s.put("ssl.keystore.key", read(dir.resolve(KEY_FILE)));
        s.put("ssl.keystore.certificate.chain", read(dir.resolve(CERTIFICATE_FILE)));
        s.put("ssl.truststore.type", "PEM");
        Path brokerCa = dir.resolve(BROKER_CA_FILE);
        s.put("ssl.truststore.certificates", read(Files.exists(brokerCa) ? brokerCa : dir.resolve(CA_FILE)));
        // The broker's certificate names its host (SAN), which Kafka checks by default; said here so nobody turns it off.
        s.put("ssl.endpoint.identification.algorithm", "https");
        return s;
    }

    /** Settings for a client of the brokers at {@code bootstrapServers}: with the identity in {@code dir}, or, without one, none (a test broker). */
    public static Map<String, Object> client(String bootstrapServers, Optional<Path> dir) {
        Map<String, Object> s = new HashMap<>();
        s.put("bootstrap.servers", bootstrapServers);
        dir.ifPresent(d -> s.putAll(securitySettings(d)));
        return s;
    }

    /**
     * The identity directory of this process when it is no Quarkus service (the agent, tools): the
     * {@value #DIR_PROPERTY} system property, else {@value #DIR_ENV}.
     */
    public static Optional<Path> ofThisProcess() {
        String dir = System.getProperty(DIR_PROPERTY, System.getenv(DIR_ENV));
        return dir == null || dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            // The path only: never the content of a key file.
            throw new UncheckedIOException("cannot read the bus identity file " + file, e);
        }
    }

    private BusIdentity() {
    }
}
