package dev.sigil.issuer.ca;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.sigil.contract.CaBundle;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.Topics;
import io.quarkus.runtime.StartupEvent;

/** Publishes the CA's public keys to {@code sigil.ca} at start-up, so every service and agent can trust them. */
public class CaPublisher {

    void publish(@Observes StartupEvent start, CertificateAuthority ca,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            producer.send(new ProducerRecord<>(Topics.CA, CaBundle.KEY, EventJson.write(ca.bundle())))
                    .get(30, TimeUnit.SECONDS);
        }
    }
}
