package dev.sigil.join.join;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;

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
        return Optional.ofNullable(tokens.get(name));
    }
}
