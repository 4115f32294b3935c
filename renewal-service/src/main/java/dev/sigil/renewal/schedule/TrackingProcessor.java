package dev.sigil.renewal.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.FleetAlert;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.RenewalDue;
import dev.sigil.contract.Topics;
import dev.sigil.renewal.failures.RecordFailures;

/**
 * Tracks every identity issued on {@code sigil.issue.results} in the {@code identities} store with a durable
 * timer at its renewal point, and emits renewal-due on {@code sigil.renewal.due} when the timer fires; a renewed
 * identity replaces its timer. A result that cannot be read or tracked ({@link Trackable}) goes to the dead-letter
 * topic with the reason before anything is stored; a timer that cannot fire is dropped, logged and counted, and the
 * others fire.
 */
final class TrackingProcessor implements Processor<String, String, String, String> {
    private static final Duration TICK = Duration.ofMillis(200);
    /**
     * At most this many timers per task and tick: a tick runs inside one transaction, which must commit well within
     * its timeout however large the backlog (a CA rotation, a restart); the rest fire on the next ticks.
     */
    static final int MAX_PER_TICK = 5_000;

    private final RenewalSchedule schedule;
    private final RecordFailures failures;
    private ProcessorContext<String, String> context;
    private KeyValueStore<String, String> identities;
    private KeyValueStore<String, String> store;
    private Timers timers;
    /**
     * No timer before this time is left (after a restart: unknown, so 0). Scans start here rather than at 0, so
     * they do not wade through the deletions of every timer fired before, which RocksDB keeps until compaction.
     */
    private long scannedUpTo;

    TrackingProcessor(RenewalSchedule schedule, RecordFailures failures) {
        this.schedule = schedule;
        this.failures = failures;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
        this.identities = context.getStateStore(RenewalTopology.IDENTITIES);
        this.store = context.getStateStore(RenewalTopology.TIMERS);
        this.timers = new Timers(identities, store, schedule.overdueAfter(), at -> scannedUpTo = Math.min(scannedUpTo, at),
                failures);
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::fireDueTimers);
    }

    /**
     * Fires every timer whose time has come: renewal due emits renewal-due, overdue and expired emit an alert, and
     * each sets the identity's next timer. Timers are store entries keyed by time, so a scan stops at the first one
     * in the future; firing and moving on commit together (exactly-once), so a crash neither loses a timer nor
     * fires it twice.
     */
    private void fireDueTimers(long nowMillis) {
        List<KeyValue<String, String>> due = new ArrayList<>();
        try (KeyValueIterator<String, String> timer = store.range(Timers.key(scannedUpTo, ""), Timers.key(nowMillis, "~"))) {
            while (timer.hasNext() && due.size() < MAX_PER_TICK) {
                due.add(timer.next());
            }
        }
        scannedUpTo = due.size() < MAX_PER_TICK ? nowMillis : Timers.time(due.get(due.size() - 1).key, nowMillis);
        for (KeyValue<String, String> entry : due) {
            store.delete(entry.key);
            try {
                fire(entry.value, nowMillis);
            } catch (RuntimeException e) {
                if (e instanceof org.apache.kafka.common.KafkaException) {
                    throw e; // the store or the producer, not this timer: Streams' handlers decide
                }
                // This timer is gone; the identity's next result sets a new one. The other timers still fire.
                failures.failed("fire-timer", e, "timer " + entry.key + " (" + entry.value + ")");
            }
        }
    }

    private void fire(String value, long nowMillis) {
        Timers.Timer timer = Timers.Timer.parse(value);
        String json = identities.get(timer.instanceId());
        if (json == null) {
            return;
        }
        TrackedIdentity identity = EventJson.read(json, TrackedIdentity.class);
        switch (timer.stage()) {
            case Timers.DUE -> context.forward(new Record<>(identity.bot(), EventJson.write(new RenewalDue(identity.bot(),
                    identity.instanceId(), identity.serial(), identity.renewAt(), identity.validBefore())), nowMillis),
                    RenewalTopology.DUE_SINK);
            case Timers.OVERDUE -> alert(identity, FleetAlert.OVERDUE, nowMillis, "bot " + identity.bot() + " instance "
                    + identity.instanceId() + " was due for renewal at " + identity.renewAt() + " and has not renewed; "
                    + "it expires at " + identity.validBefore() + ". Check that its agent or delivery is running and can reach Sigil");
            case Timers.EXPIRED -> alert(identity, FleetAlert.EXPIRED, nowMillis, "bot " + identity.bot() + " instance "
                    + identity.instanceId() + " expired at " + identity.validBefore() + " without renewing; whatever used "
                    + "it has no valid credentials now. Restart its agent (it re-joins where its join method allows)");
            default -> {
            }
        }
        timers.advance(identity, timer.stage());
    }

    private void alert(TrackedIdentity identity, String state, long nowMillis, String message) {
        FleetAlert alert = new FleetAlert(identity.bot(), identity.instanceId(), identity.serial(), state,
                Instant.ofEpochMilli(nowMillis), identity.renewAt(), identity.validBefore(), message);
        context.forward(new Record<>(identity.bot(), EventJson.write(alert), nowMillis), RenewalTopology.ALERTS_SINK);
    }

    @Override
    public void process(Record<String, String> record) {
        TrackedIdentity tracked;
        try {
            IssueResult result = EventJson.read(record.value(), IssueResult.class);
            if (!result.isIssued()) {
                if (result.refusal() == null) {
                    throw new MalformedEventException("an issue result holds an identity or a refusal; this one holds neither");
                }
                return; // a refusal: nothing to track
            }
            Trackable.problem(result).ifPresent(p -> {
                throw new MalformedEventException(p);
            });
            tracked = schedule.track(result, Instant.ofEpochMilli(record.timestamp()));
        } catch (RuntimeException e) {
            failures.deadLetter(context, record, RenewalTopology.DEAD_LETTER_SINK, Topics.ISSUE_RESULTS, RecordFailures.reason(e));
            return;
        }
        // Only a checked identity reaches the stores: nothing is half-written for a record that is dead-lettered.
        timers.track(tracked);
    }
}
