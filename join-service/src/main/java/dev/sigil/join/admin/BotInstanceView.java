package dev.sigil.join.admin;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.sigil.contract.BotInstance;
import dev.sigil.contract.BotInstanceStatus;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.Names;
import dev.sigil.contract.Topics;
import io.quarkus.runtime.Startup;

/**
 * This replica's view of {@code sigil.bot-instances}, for admins investigating a bot: each instance with its
 * generation, join method, last authentication, and a history of its joins and renewals. The issuer's record keeps
 * the last {@link BotInstanceStatus#RECENT}; the view adds every one it sees, up to {@link #HISTORY} per instance,
 * so an instance followed since this replica started shows more than the record alone (the topic is compacted:
 * after a restart, the history starts from the record's).
 */
@Startup
@Singleton
public class BotInstanceView implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BotInstanceView.class);
    /**
     * Authentications kept per instance: an instance renewing every 20 minutes shows its last 6 or 7 hours, and
     * 100,000 instances stay within a few hundred megabytes of heap.
     */
    public static final int HISTORY = 20;

    /** Sorted by {@code <bot>/<instance id>}, the list order and the paging cursor. */
    private final ConcurrentSkipListMap<String, Instance> instances = new ConcurrentSkipListMap<>();
    private final Map<String, String> nameOfId = new ConcurrentHashMap<>();
    private final CatchingUpFollower follower;

    public BotInstanceView(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.follower = new CatchingUpFollower(bootstrapServers, Topics.BOT_INSTANCES, this::apply);
    }

    /** One authentication of an instance: a join, a renewal (or a re-join with the identity it held), a delivery. */
    public record Authentication(long generation, Instant at, String kind, String joinMethod, String host, String requestId) {
        static Authentication of(BotInstanceStatus.Authentication issued) {
            String kind = switch (String.valueOf(issued.kind())) {
                case "renew", "rejoin" -> "renewal";
                case "deliver" -> "delivery";
                default -> issued.kind();
            };
            return new Authentication(issued.generation(), issued.at(), kind, issued.joinMethod(), issued.host(), issued.requestId());
        }
    }

    /**
     * An instance as the admin API shows it. {@code recentAuthentications} is the issuer's record as it is;
     * {@code history} (on a single instance only; null in lists) is this view's longer one, oldest first.
     */
    public record Instance(String bot, String instanceId, long generation, String joinMethod, String joinToken,
            Instant lastSeen, String host, String lockedReason, BotInstance instance,
            List<BotInstanceStatus.Authentication> recentAuthentications, List<Authentication> history) {
        String name() {
            return bot + "/" + instanceId;
        }

        Instance withoutHistory() {
            return new Instance(bot, instanceId, generation, joinMethod, joinToken, lastSeen, host, lockedReason, instance,
                    recentAuthentications, null);
        }
    }

    void apply(String id, String json) {
        if (id == null) {
            return;
        }
        if (json == null) {
            String name = nameOfId.remove(id);
            if (name != null) {
                instances.remove(name);
            }
            return;
        }
        BotInstanceStatus status;
        try {
            status = EventJson.read(json, BotInstanceStatus.class);
            if (status.bot() == null || status.instance() == null) {
                throw new MalformedEventException("a bot instance record needs its bot and instance");
            }
        } catch (MalformedEventException e) {
            LOG.warnf("ignoring an unreadable record on %s: %s", Topics.BOT_INSTANCES, Names.printable(e.getMessage()));
            return;
        }
        String name = status.bot() + "/" + id;
        Instance previous = instances.get(name);
        List<Authentication> history = new ArrayList<>(previous == null ? List.of() : previous.history());
        for (BotInstanceStatus.Authentication issued : status.recentAuthentications()) {
            Authentication seen = Authentication.of(issued);
            if (history.stream().noneMatch(h -> h.generation() == seen.generation()
                    && java.util.Objects.equals(h.requestId(), seen.requestId()))) {
                history.add(seen);
            }
        }
        history.sort(Comparator.comparing(Authentication::generation).thenComparing(Authentication::at,
                Comparator.nullsFirst(Comparator.naturalOrder())));
        List<Authentication> kept = List.copyOf(history.subList(Math.max(0, history.size() - HISTORY), history.size()));
        Instant lastSeen = kept.isEmpty() ? null : kept.get(kept.size() - 1).at();
        String host = kept.isEmpty() ? null : kept.get(kept.size() - 1).host();
        nameOfId.put(id, name);
        instances.put(name, new Instance(status.bot(), id, status.instance().generation(), status.instance().joinMethod(),
                status.instance().joinToken(), lastSeen, host, status.lockedReason(), status.instance(),
                status.recentAuthentications(), kept));
    }

    /** Everything the issuer committed to the topic before this call is in the view when it returns (or 503). */
    public void catchUp() {
        follower.catchUp(SpecView.CATCH_UP_LIMIT);
    }

    public Optional<Instance> find(String bot, String instanceId) {
        return Optional.ofNullable(instances.get(bot + "/" + instanceId));
    }

    /** A page of instances (without their history) of one bot, or of all when {@code bot} is null. */
    public SpecView.Page<Instance> page(String after, int limit, String bot) {
        java.util.concurrent.ConcurrentNavigableMap<String, Instance> scope = bot == null ? instances
                : instances.subMap(bot + "/", true, bot + "0", false); // '0' follows '/': exactly this bot's names
        Map<String, Instance> tail = after == null ? scope : scope.tailMap(after, false);
        List<Instance> items = new ArrayList<>();
        String last = null;
        for (Instance instance : tail.values()) {
            if (items.size() == limit) {
                return new SpecView.Page<>(items, last);
            }
            items.add(instance.withoutHistory());
            last = instance.name();
        }
        return new SpecView.Page<>(items, null);
    }

    /** The bot an instance belongs to, if this view has seen it. */
    public Optional<String> botOf(String instanceId) {
        String name = nameOfId.get(instanceId);
        Instance instance = name == null ? null : instances.get(name);
        return Optional.ofNullable(instance == null ? null : instance.bot());
    }

    /** The bots whose instances joined with a join token, which may be long deleted (a one-time token). */
    public java.util.Set<String> botsJoinedWith(String joinToken) {
        java.util.Set<String> bots = new java.util.TreeSet<>();
        for (Instance instance : instances.values()) {
            if (joinToken.equals(instance.joinToken())) {
                bots.add(instance.bot());
            }
        }
        return bots;
    }

    /** The instances of one bot, for locking them all when the bot is deleted. */
    public List<Instance> of(String bot) {
        return List.copyOf(instances.subMap(bot + "/", true, bot + "0", false).values());
    }

    @PreDestroy
    @Override
    public void close() {
        follower.close();
    }
}
