package dev.sigil.join.webhook;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.sigil.contract.Refusal;
import dev.sigil.contract.Topics;
import dev.sigil.join.api.RefusalException;
import io.quarkus.runtime.Startup;

/**
 * Which bots exist, from {@code sigil.bots} read whole at start: a webhook creates its organisation's bot only when
 * there is none, and never rewrites one an admin (or an earlier webhook) wrote.
 */
@Startup
@Singleton
public class KnownBots implements AutoCloseable {
    private final Set<String> names = ConcurrentHashMap.newKeySet();
    private final TopicFollower follower;

    public KnownBots(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.follower = new TopicFollower(bootstrapServers, Topics.BOTS, (name, bot) -> {
            if (name == null) {
                return;
            }
            if (bot == null) {
                names.remove(name);
            } else {
                names.add(name);
            }
        });
    }

    /** Whether the bot exists; refused while the bots that existed at start are still being read. */
    boolean exists(String bot) {
        if (names.contains(bot)) {
            return true;
        }
        if (!follower.caughtUp()) {
            throw new RefusalException(503, Refusal.UNAVAILABLE, "join-service is still reading the bots after a restart; "
                    + "redeliver the webhook shortly");
        }
        return false;
    }

    /** A bot this replica just wrote, known at once. */
    void remember(String bot) {
        names.add(bot);
    }

    @PreDestroy
    @Override
    public void close() {
        follower.close();
    }
}
