package dev.sigil.issuer.ca;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.sigil.contract.CaBundle;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.TopicReader;
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
            if (ca.bundle().equals(published)) {
                return;
            } // else written before the per-purpose CAs: publish it again with them
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(dev.sigil.contract.BusIdentityConfig.client(bootstrapServers),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.CA, CaBundle.KEY, EventJson.write(ca.bundle())))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /** The last bundle on {@code sigil.ca} for this cluster, or null. */
    private static CaBundle readPublished(String bootstrapServers, String clusterName) {
        CaBundle latest = null;
        for (String json : TopicReader.valuesOf(dev.sigil.contract.BusIdentityConfig.client(bootstrapServers), Topics.CA, CaBundle.KEY, READ_TIMEOUT)) {
            CaBundle bundle = json == null ? null : EventJson.read(json, CaBundle.class);
            if (bundle != null && clusterName.equals(bundle.clusterName())) {
                latest = bundle;
            }
        }
        return latest;
    }
}
