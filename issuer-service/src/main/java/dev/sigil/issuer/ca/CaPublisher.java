package dev.sigil.issuer.ca;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.sigil.contract.CaBundle;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.Topics;
import io.quarkus.runtime.StartupEvent;

/**
 * At start-up: adopts the CA state on {@code sigil.ca} (a rotation in progress carries on after a restart), or
 * publishes the first generation's public keys when the topic has none, so every service and agent can trust them.
 */
public class CaPublisher {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    void publish(@Observes StartupEvent start, CertificateAuthority ca,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) throws Exception {
        CaBundle published = readPublished(bootstrapServers, ca.bundle().clusterName());
        if (published != null) {
            ca.apply(published);
            return;
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            producer.send(new ProducerRecord<>(Topics.CA, CaBundle.KEY, EventJson.write(ca.bundle())))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /** The last bundle on {@code sigil.ca} for this cluster, read to the end, or null. */
    private static CaBundle readPublished(String bootstrapServers, String clusterName) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "sigil-issuer-ca-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.CA, READ_TIMEOUT).stream()
                    .map(p -> new TopicPartition(Topics.CA, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            CaBundle latest = null;
            Instant deadline = Instant.now().plus(READ_TIMEOUT);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("could not read " + Topics.CA + " within " + READ_TIMEOUT);
                }
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    if (CaBundle.KEY.equals(record.key()) && record.value() != null) {
                        CaBundle bundle = EventJson.read(record.value(), CaBundle.class);
                        if (clusterName.equals(bundle.clusterName())) {
                            latest = bundle;
                        }
                    }
                }
            }
            return latest;
        }
    }
}
