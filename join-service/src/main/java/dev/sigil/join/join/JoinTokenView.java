package dev.sigil.join.join;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.JoinTokenSpec;

/**
 * This replica's view of {@code sigil.join-tokens}, read from the beginning at every start (a consumer group of its
 * own). An unreadable record is nacked to {@code sigil.join-tokens.dlq} and the view keeps going.
 */
@ApplicationScoped
public class JoinTokenView {
    private final Map<String, JoinTokenSpec> tokens = new ConcurrentHashMap<>();

    @Incoming("join-tokens")
    public void apply(ConsumerRecord<String, String> record) {
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

    public Optional<JoinTokenSpec> find(String name) {
        return Optional.ofNullable(tokens.get(name));
    }
}
