package dev.sigil.renewal.schedule;

import java.nio.charset.StandardCharsets;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.RenewalDue;
import dev.sigil.contract.ReplyHeaders;

/**
 * Tracks every identity issued on {@code sigil.issue.results} in the {@code identities} store with a durable
 * timer at its renewal point, and emits renewal-due on {@code sigil.renewal.due} when the timer fires; a renewed
 * identity replaces its timer. Unreadable results go to the dead-letter topic.
 */
final class TrackingProcessor implements Processor<String, String, String, String> {
    private static final Logger LOG = Logger.getLogger(TrackingProcessor.class);
    private static final Duration TICK = Duration.ofMillis(200);

    private final RenewalSchedule schedule;
    private ProcessorContext<String, String> context;
    private KeyValueStore<String, String> identities;
    private KeyValueStore<String, String> timers;

    TrackingProcessor(RenewalSchedule schedule) {
        this.schedule = schedule;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
        this.identities = context.getStateStore(RenewalTopology.IDENTITIES);
        this.timers = context.getStateStore(RenewalTopology.TIMERS);
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::fireDueTimers);
    }

    /**
     * Emits renewal-due for every timer whose time has come, and forgets the timer. Timers are store entries
     * keyed by due time, so a scan stops at the first one in the future; firing and forgetting commit together
     * (exactly-once), so a crash neither loses a timer nor fires it twice.
     */
    private void fireDueTimers(long nowMillis) {
        List<KeyValue<String, String>> due = new ArrayList<>();
        try (KeyValueIterator<String, String> timer = timers.range(timerKey(0, ""), timerKey(nowMillis, "~"))) {
            timer.forEachRemaining(due::add);
        }
        for (KeyValue<String, String> timer : due) {
            timers.delete(timer.key);
            String json = identities.get(timer.value);
            if (json != null) {
                TrackedIdentity identity = EventJson.read(json, TrackedIdentity.class);
                RenewalDue event = new RenewalDue(identity.bot(), identity.instanceId(), identity.serial(), identity.renewAt(),
                        identity.validBefore());
                context.forward(new Record<>(identity.bot(), EventJson.write(event), nowMillis), RenewalTopology.DUE_SINK);
            }
        }
    }

    /** Timer keys sort by due time: 13-digit epoch milliseconds, then the instance. */
    static String timerKey(long epochMillis, String instanceId) {
        return String.format("%013d/%s", epochMillis, instanceId);
    }

    @Override
    public void process(Record<String, String> record) {
        IssueResult result;
        try {
            result = EventJson.read(record.value(), IssueResult.class);
        } catch (MalformedEventException e) {
            LOG.warnf("dead-lettering an unreadable issue result: %s", e.getMessage());
            var headers = new RecordHeaders(record.headers().toArray());
            headers.add(ReplyHeaders.DEAD_LETTER_REASON, e.getMessage().getBytes(StandardCharsets.UTF_8));
            context.forward(record.withHeaders(headers), RenewalTopology.DEAD_LETTER_SINK);
            return;
        }
        if (!result.isIssued()) {
            return;
        }
        new Timers(identities, timers).track(schedule.track(result, Instant.ofEpochMilli(record.timestamp())));
    }
}
