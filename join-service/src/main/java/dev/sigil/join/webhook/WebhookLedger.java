package dev.sigil.join.webhook;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.Topics;
import dev.sigil.join.api.RefusalException;
import io.quarkus.runtime.Startup;

/**
 * Which webhook deliveries were handled and which runner jobs completed, shared by every join-service replica
 * through {@code sigil.webhook.deliveries}: each replica reads the topic whole at start and follows it, and writes
 * a delivery there once its effect is written. So a delivery replayed to another replica, or after a restart, is
 * answered {@code duplicate}, and a job seen completing is never given a delivery again.
 *
 * <p>Two replicas handed the same delivery at the same moment may both handle it; every effect is an idempotent
 * write by a deterministic key, so they write the same thing.
 */
@Startup
@Singleton
public class WebhookLedger implements AutoCloseable {
    /** What the topic holds under each key: when the delivery was handled, and what it did. */
    public record Handled(Instant at, String effect) {
    }

    private final Map<String, Instant> handled = new ConcurrentHashMap<>();
    /** Deliveries this replica is handling now, so a platform's quick retry is not handled twice here. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Clock clock;
    private final KafkaProducer<String, String> producer;
    private final TopicFollower follower;

    @Inject
    public WebhookLedger(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this(bootstrapServers, Clock.systemUTC());
    }

    WebhookLedger(String bootstrapServers, Clock clock) {
        this.clock = clock;
        Map<String, Object> settings = new java.util.HashMap<>(dev.sigil.contract.BusIdentityConfig.client(bootstrapServers));
        settings.putAll(Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0));
        this.producer = new KafkaProducer<>(settings, new StringSerializer(), new StringSerializer());
        this.follower = new TopicFollower(bootstrapServers, Topics.WEBHOOK_DELIVERIES, this::apply);
    }

    private void apply(String key, String value) {
        if (key == null) {
            return;
        }
        if (value == null) {
            handled.remove(key);
            return;
        }
        Instant at;
        try {
            at = EventJson.read(value, Handled.class).at();
        } catch (RuntimeException e) {
            at = null; // the key alone says it was handled
        }
        handled.put(key, at == null ? Instant.EPOCH : at);
    }

    /** Whether every delivery handled before this replica started is known; until then nothing can be told apart. */
    public boolean loaded() {
        return follower.caughtUp();
    }

    /**
     * Claims a delivery for handling here: empty when it may go ahead, else why it is a duplicate (handled before,
     * here or on another replica, or being handled here right now).
     */
    Optional<String> claim(String delivery) {
        if (!loaded()) {
            throw new RefusalException(503, Refusal.UNAVAILABLE, "join-service is still reading which webhook deliveries "
                    + "were handled before it started; redeliver shortly");
        }
        Instant at = handled.get(delivery);
        if (at != null) {
            return Optional.of("already handled" + (at.equals(Instant.EPOCH) ? "" : " at " + at));
        }
        if (!inFlight.add(delivery)) {
            return Optional.of("being handled right now");
        }
        if (handled.containsKey(delivery)) { // finished by another thread between the two looks
            inFlight.remove(delivery);
            return Optional.of("already handled");
        }
        return Optional.empty();
    }

    /** Gives a claimed delivery up after a failure, so the platform's retry is handled. */
    void release(String delivery) {
        inFlight.remove(delivery);
    }

    /** Records a claimed delivery as handled, for every replica; done once Kafka has it. */
    CompletionStage<Void> handled(String delivery, String effect) {
        return write(delivery, effect).whenComplete((done, failure) -> inFlight.remove(delivery));
    }

    boolean jobCompleted(String jobDelivery) {
        return handled.containsKey(completedKey(jobDelivery));
    }

    /** Records that a job completed, before its delivery is removed: no later event can bring the delivery back. */
    CompletionStage<Void> completeJob(String jobDelivery) {
        return write(completedKey(jobDelivery), "completed");
    }

    private CompletionStage<Void> write(String key, String effect) {
        Instant now = clock.instant();
        CompletableFuture<Void> written = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(Topics.WEBHOOK_DELIVERIES, key, EventJson.write(new Handled(now, effect))),
                (metadata, failure) -> {
                    if (failure != null) {
                        written.completeExceptionally(failure);
                    } else {
                        handled.put(key, now);
                        written.complete(null);
                    }
                });
        return written;
    }

    private static String completedKey(String jobDelivery) {
        return "job-completed:" + jobDelivery;
    }

    @PreDestroy
    @Override
    public void close() {
        follower.close();
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
