package dev.sigil.join.admins;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.sigil.contract.AdminSpec;
import dev.sigil.contract.AuditEvent;
import dev.sigil.contract.BusIdentityConfig;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.Topics;

/** Writes the admins table ({@code sigil.admins}) and admin audit lines ({@code sigil.audit}); done when Kafka acknowledged. */
@Singleton
public class AdminRecords implements AutoCloseable {
    private final KafkaProducer<String, String> producer;

    public AdminRecords(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        Map<String, Object> settings = new HashMap<>(BusIdentityConfig.client(bootstrapServers));
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        this.producer = new KafkaProducer<>(settings, new StringSerializer(), new StringSerializer());
    }

    public CompletionStage<Void> put(AdminSpec admin) {
        return send(Topics.ADMINS, admin.name(), EventJson.write(admin));
    }

    /** A tombstone: the compacted topic forgets the admin. */
    public CompletionStage<Void> remove(String name) {
        return send(Topics.ADMINS, name, null);
    }

    public CompletionStage<Void> audit(AuditEvent event) {
        return send(Topics.AUDIT, event.admin(), EventJson.write(event));
    }

    private CompletionStage<Void> send(String topic, String key, String value) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
            if (error != null) {
                done.completeExceptionally(error);
            } else {
                done.complete(null);
            }
        });
        return done;
    }

    @PreDestroy
    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(2));
    }
}
