package dev.sigil.join.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.ServiceCertificateRequest;
import dev.sigil.contract.ServiceCertificateResult;
import dev.sigil.contract.Topics;

/**
 * join-service's HTTPS certificate, from Sigil's own CA: before Quarkus starts, join-service makes a key pair (the
 * private key stays in its state directory, 0600), asks issuer-service for a certificate through Kafka and points
 * the HTTP server at both. Agents trust it by pinning the CA, as {@code tbot}'s {@code ca_pins} do.
 */
public final class ServerCertificate {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private final String bootstrapServers;
    private final Path directory;
    private final List<String> names;

    ServerCertificate(String bootstrapServers, Path directory, List<String> names) {
        this.bootstrapServers = bootstrapServers;
        this.directory = directory;
        this.names = names;
    }

    /** Reads the settings from the environment (Quarkus config is not up yet) and configures HTTPS. */
    static void configureHttps() throws Exception {
        if ("false".equalsIgnoreCase(setting("SIGIL_TLS_ENABLED", "sigil.tls.enabled", "true"))) {
            return;
        }
        ServerCertificate certificate = new ServerCertificate(
                setting("KAFKA_BOOTSTRAP_SERVERS", "kafka.bootstrap.servers", "localhost:9092"),
                Path.of(setting("SIGIL_STATE_DIR", "sigil.state-dir", ".sigil/join")).resolve("tls"),
                Arrays.asList(setting("SIGIL_TLS_NAMES", "sigil.tls.names", "localhost,127.0.0.1").split(",")));
        Path[] files = certificate.obtain();
        System.setProperty("quarkus.http.ssl.certificate.files", files[0].toString());
        System.setProperty("quarkus.http.ssl.certificate.key-files", files[1].toString());
        System.setProperty("quarkus.http.insecure-requests", "disabled");
    }

    /** Returns the certificate chain file and the key file. */
    Path[] obtain() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        String requestId = UUID.randomUUID().toString();
        ServiceCertificateResult result = request(new ServiceCertificateRequest(requestId, "join-service", names, pem(keys.getPublic())));
        if (result.refusal() != null) {
            throw new IllegalStateException("issuer-service refused join-service's TLS certificate: "
                    + result.refusal().code() + ": " + result.refusal().message());
        }
        Files.createDirectories(directory);
        Path key = write("server.key", pem(keys.getPrivate()), "rw-------");
        Path chain = write("server.crt", result.certificate() + result.caCertificate(), "rw-r--r--");
        return new Path[] { chain, key };
    }

    private ServiceCertificateResult request(ServiceCertificateRequest request) throws Exception {
        Map<String, Object> consumerSettings = new java.util.HashMap<>(dev.sigil.contract.BusIdentityConfig.client(bootstrapServers));
        consumerSettings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerSettings, new StringDeserializer(),
                new StringDeserializer());
                KafkaProducer<String, String> producer = new KafkaProducer<>(dev.sigil.contract.BusIdentityConfig.client(bootstrapServers),
                        new StringSerializer(), new StringSerializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.SERVICE_CERTIFICATE_RESULTS, WAIT).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // fix the start before asking, so the answer cannot be missed
            producer.send(new ProducerRecord<>(Topics.SERVICE_CERTIFICATES, request.service(), EventJson.write(request)))
                    .get();
            Instant deadline = Instant.now().plus(WAIT);
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        ServiceCertificateResult result = EventJson.read(record.value(), ServiceCertificateResult.class);
                        if (request.requestId().equals(result.requestId())) {
                            return result;
                        }
                    } catch (MalformedEventException ignored) {
                        // not ours to handle
                    }
                }
            }
        }
        throw new IllegalStateException("issuer-service did not answer join-service's TLS certificate request within "
                + WAIT + "; is it running and reading " + Topics.SERVICE_CERTIFICATES + "?");
    }

    private Path write(String name, String content, String permissions) throws IOException {
        Path tmp = directory.resolve("." + name + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions)));
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        return Files.move(tmp, directory.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String pem(Object key) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(key);
        }
        return text.toString();
    }

    private static String setting(String env, String property, String fallback) {
        String value = System.getProperty(property, System.getenv(env));
        return value == null || value.isBlank() ? fallback : value;
    }
}
