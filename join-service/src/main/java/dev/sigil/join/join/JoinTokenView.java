package dev.sigil.join.join;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.Topics;
import dev.sigil.join.api.RefusalException;

import io.quarkus.runtime.StartupEvent;

/**
 * This replica's view of {@code sigil.join-tokens}, read from the beginning at every start (a consumer group of its
 * own). An unreadable record is nacked to {@code sigil.join-tokens.dlq} and the view keeps going.
 */
@ApplicationScoped
public class JoinTokenView {
    private static final Logger LOG = Logger.getLogger(JoinTokenView.class);
    /** Should the topic's last record have been compacted away, readiness stops waiting for it after this long. */
    private static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(60);

    private final Map<String, JoinTokenSpec> tokens = new ConcurrentHashMap<>();
    private final Map<Integer, Long> read = new ConcurrentHashMap<>();
    private volatile Map<Integer, Long> lastAtStart;
    private volatile Instant startedAt;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    /** Notes where the topic ended at start: until the view has read that far, this replica is not ready. */
    void start(@Observes StartupEvent event) {
        startedAt = Instant.now();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(dev.sigil.contract.BusIdentityConfig.client(bootstrapServers),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOIN_TOKENS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            Map<Integer, Long> last = new HashMap<>();
            consumer.endOffsets(partitions).forEach((p, end) -> last.put(p.partition(), end - 1));
            lastAtStart = last;
        }
    }

    /**
     * Whether every join token that existed when this replica started is known: a join before that would be refused
     * TOKEN_NOT_FOUND for a token that exists.
     */
    public boolean caughtUp() {
        Map<Integer, Long> last = lastAtStart;
        if (last == null) {
            return false;
        }
        boolean caughtUp = last.entrySet().stream().allMatch(e -> read.getOrDefault(e.getKey(), -1L) >= e.getValue());
        if (!caughtUp && Instant.now().isAfter(startedAt.plus(CATCH_UP_LIMIT))) {
            LOG.warnf("join tokens read up to %s, not %s after %s; ready anyway", read, last, CATCH_UP_LIMIT);
            lastAtStart = Map.of();
            return true;
        }
        return caughtUp;
    }

    @Incoming("join-tokens")
    public void apply(ConsumerRecord<String, String> record) {
        read.merge(record.partition(), record.offset(), Math::max);
        if (record.key() == null) {
            throw new IllegalArgumentException("a join token record needs the token name as its key");
        }
        if (record.value() == null) {
            tokens.remove(record.key());
            return;
        }
        tokens.put(record.key(), EventJson.read(record.value(), JoinTokenSpec.class));
    }

    /** Makes a token this replica just wrote usable at once, before it comes back from Kafka. */
    public void remember(JoinTokenSpec token) {
        tokens.put(token.name(), token);
    }

    /** Makes a token this replica just removed unusable at once. */
    public void forget(String name) {
        tokens.remove(name);
    }

    /**
     * The named join token of a delegated join method (any but {@code token}), refused when there is none or it
     * expired.
     */
    public JoinTokenSpec require(String name, String method) {
        if (name == null || name.isBlank()) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "join method '" + method
                    + "' needs the join token's name in 'token'");
        }
        JoinTokenSpec token = find(name.trim()).filter(t -> method.equals(t.joinMethod()))
                .orElseThrow(() -> new RefusalException(401, Refusal.TOKEN_NOT_FOUND, "there is no '" + method
                        + "' join token named '" + name.trim() + "'; check the name in the bot's configuration"));
        if (token.expiredAt(Instant.now())) {
            throw new RefusalException(401, Refusal.TOKEN_EXPIRED, "the join token '" + token.name() + "' expired at "
                    + token.expires() + "; ask an admin to renew it");
        }
        return token;
    }

    public Optional<JoinTokenSpec> find(String name) {
        JoinTokenSpec token = tokens.get(name);
        if (token == null && !caughtUp()) {
            // Not known yet is not unknown: this replica is still reading the tokens that existed when it started.
            throw new RefusalException(503, Refusal.UNAVAILABLE, "join-service is still loading join tokens after a "
                    + "restart; retry shortly");
        }
        return Optional.ofNullable(token);
    }
}
