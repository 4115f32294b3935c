package dev.sigil.renewal.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.LongConsumer;

import org.apache.kafka.streams.state.KeyValueStore;

import dev.sigil.contract.EventJson;
import dev.sigil.renewal.failures.RecordFailures;

/**
 * The identities one task tracks and their timers, kept in step: each identity has exactly one timer, for the next
 * point of its life — renewal due, overdue, expired, forgotten. A timer's key sorts by time ({@code
 * <13-digit epoch ms>/<instance>}); its value says which point it is, for whom ({@code <stage> <instance> <bot>}),
 * so fleet health can be counted from the timers alone.
 */
public final class Timers {
    static final String DUE = "due";
    static final String OVERDUE = "overdue";
    static final String EXPIRED = "expired";
    static final String FORGET = "forget";
    /** How long an expired identity stays in view (and in the counts) before it is forgotten. */
    static final Duration KEEP_EXPIRED = Duration.ofHours(1);

    private final KeyValueStore<String, String> identities;
    private final KeyValueStore<String, String> timers;
    private final Duration overdueAfter;
    private final LongConsumer onSet;
    private final RecordFailures failures;

    /** {@code onSet} hears the time of every timer set, so a scanner can tell how far back it must look. */
    Timers(KeyValueStore<String, String> identities, KeyValueStore<String, String> timers, Duration overdueAfter,
            LongConsumer onSet, RecordFailures failures) {
        this.identities = identities;
        this.timers = timers;
        this.overdueAfter = overdueAfter;
        this.onSet = onSet;
        this.failures = failures;
    }

    /** Keeps an identity with one timer at its renewal point; the timer set earlier for it is replaced. */
    void track(TrackedIdentity tracked) {
        String previous = identities.get(tracked.instanceId());
        if (previous != null) {
            try {
                TrackedIdentity old = EventJson.read(previous, TrackedIdentity.class);
                deleteTimerOf(old);
            } catch (RuntimeException e) {
                if (e instanceof org.apache.kafka.common.KafkaException) {
                    throw e; // the store itself failed: not ours to skip
                }
                // An unreadable old entry must not cost the new identity its timer; the old timer, should it
                // fire, finds the new identity and merely moves it on early.
                failures.failed("replace-timer", e, "identity " + tracked.instanceId() + " as stored");
            }
        }
        identities.put(tracked.instanceId(), EventJson.write(tracked));
        set(tracked, DUE, tracked.renewAt());
    }

    /** An identity no longer watched (its bot was deleted): whichever of its timers is set goes, and so does it. */
    void forget(TrackedIdentity identity) {
        deleteTimerOf(identity);
        identities.delete(identity.instanceId());
    }

    /**
     * Deletes the identity's one timer, at whichever of its points it is set. Only a timer that is there is deleted:
     * every delete writes a tombstone to the store's changelog, and the three points not set need none.
     */
    private void deleteTimerOf(TrackedIdentity identity) {
        for (Instant point : List.of(identity.renewAt(), overdueAt(identity), identity.validBefore(),
                identity.validBefore().plus(KEEP_EXPIRED))) {
            String key = key(point.toEpochMilli(), identity.instanceId());
            if (timers.get(key) != null) {
                timers.delete(key);
            }
        }
    }

    /** The timer after {@code stage} has fired; after {@link #FORGET} the identity goes. */
    void advance(TrackedIdentity identity, String stage) {
        switch (stage) {
            case DUE -> set(identity, OVERDUE, overdueAt(identity));
            case OVERDUE -> set(identity, EXPIRED, identity.validBefore());
            case EXPIRED -> set(identity, FORGET, identity.validBefore().plus(KEEP_EXPIRED));
            default -> identities.delete(identity.instanceId());
        }
    }

    private Instant overdueAt(TrackedIdentity identity) {
        return identity.overdueAt(overdueAfter);
    }

    private void set(TrackedIdentity identity, String stage, Instant at) {
        onSet.accept(at.toEpochMilli());
        timers.put(key(at.toEpochMilli(), identity.instanceId()), stage + " " + identity.instanceId() + " " + identity.bot());
    }

    /** The due time a timer key starts with; {@code fallback} for a key that does not (written by something else). */
    static long time(String key, long fallback) {
        try {
            return Long.parseLong(key.substring(0, 13));
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    /** Timer keys sort by due time: 13-digit epoch milliseconds, then the instance. */
    static String key(long epochMillis, String instanceId) {
        return String.format("%013d/%s", epochMillis, instanceId);
    }

    /** A timer's stage, instance and bot; timers written before stages existed hold just the instance, a renewal point. */
    public record Timer(String stage, String instanceId, String bot) {
        public static Timer parse(String value) {
            String[] parts = value.split(" ", 3);
            return parts.length == 3 ? new Timer(parts[0], parts[1], parts[2]) : new Timer(DUE, value, null);
        }

        /** Where the identity stands while this timer waits: the state before the point it marks. */
        public String state() {
            return switch (stage) {
                case DUE -> "fresh";
                case OVERDUE -> "due";
                case EXPIRED -> "overdue";
                default -> "expired";
            };
        }
    }
}
