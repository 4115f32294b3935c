package dev.sigil.join.admins;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.sigil.contract.AdminSpec;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.Topics;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.webhook.TopicFollower;
import io.quarkus.runtime.Startup;

/**
 * Who the admins are ({@code sigil.admins}) and what is locked ({@code sigil.locks}), both read whole at start and
 * followed: every admin request is checked against them as they are now, so removing an admin or locking its bot
 * takes effect at its next request, whatever certificate or console session it still holds.
 */
@Startup
@Singleton
public class AdminTable implements AutoCloseable {
    private final Map<String, AdminSpec> admins = new ConcurrentHashMap<>();
    private final Map<String, LockSpec> locks = new ConcurrentHashMap<>();
    private final TopicFollower adminsFollower;
    private final TopicFollower locksFollower;

    public AdminTable(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.adminsFollower = new TopicFollower(bootstrapServers, Topics.ADMINS, (name, value) -> {
            if (name == null) {
                return;
            }
            if (value == null) {
                admins.remove(name);
            } else {
                admins.put(name, EventJson.read(value, AdminSpec.class));
            }
        });
        this.locksFollower = new TopicFollower(bootstrapServers, Topics.LOCKS, (target, value) -> {
            if (target == null) {
                return;
            }
            if (value == null) {
                locks.remove(target);
            } else {
                locks.put(target, EventJson.read(value, LockSpec.class));
            }
        });
    }

    /** The admin of that name; refused while the admins that existed at start are still being read. */
    public Optional<AdminSpec> admin(String name) {
        AdminSpec admin = admins.get(name);
        if (admin == null && !adminsFollower.caughtUp()) {
            throw notReady();
        }
        return Optional.ofNullable(admin);
    }

    /** Every admin, by name. */
    public List<AdminSpec> all() {
        if (!adminsFollower.caughtUp()) {
            throw notReady();
        }
        return admins.values().stream().sorted(Comparator.comparing(AdminSpec::name)).toList();
    }

    /** The first lock in force on any of the targets ({@link LockSpec#bot}, ...). */
    public Optional<LockSpec> lockOn(List<String> targets) {
        if (!locksFollower.caughtUp()) {
            throw notReady();
        }
        Instant now = Instant.now();
        return targets.stream().map(locks::get).filter(l -> l != null && l.inForceAt(now)).findFirst();
    }

    /** An admin this replica just wrote, in force at once (the follower confirms it shortly). */
    void remember(AdminSpec admin) {
        admins.put(admin.name(), admin);
    }

    void forget(String name) {
        admins.remove(name);
    }

    private static RefusalException notReady() {
        return new RefusalException(503, Refusal.UNAVAILABLE, "join-service is still reading the admins and locks after "
                + "a restart; retry shortly");
    }

    @PreDestroy
    @Override
    public void close() {
        adminsFollower.close();
        locksFollower.close();
    }
}
