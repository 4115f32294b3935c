package dev.sigil.renewal.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.RenewalRequest;
import dev.sigil.contract.Topics;
import dev.sigil.renewal.failures.RecordFailures;

/**
 * "Renew now" requests, as broadcast to every partition ({@code sigil.renewal.requests.fanout}): the identities
 * this task tracks that the request names are rescheduled evenly over its spread window, so a fleet-wide request
 * does not become a thundering herd. Each request id is handled once per partition. The fan-out topic is checked
 * again as renewal-service's own input: a record written to it directly that is no good renewal request goes to
 * {@code sigil.renewal.requests.dlq} (it is a copy of one) with the reason.
 */
final class RenewalRequestProcessor implements Processor<String, String, String, String> {
    private final RenewalSchedule schedule;
    private final RecordFailures failures;
    private ProcessorContext<String, String> context;
    private KeyValueStore<String, String> identities;
    private KeyValueStore<String, String> handled;
    private Timers timers;

    RenewalRequestProcessor(RenewalSchedule schedule, RecordFailures failures) {
        this.schedule = schedule;
        this.failures = failures;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
        identities = context.getStateStore(RenewalTopology.IDENTITIES);
        handled = context.getStateStore(RenewalTopology.HANDLED_REQUESTS);
        // Its timers are set at now or later, never before the tracker's last scan: nothing to report.
        timers = new Timers(identities, context.getStateStore(RenewalTopology.TIMERS), schedule.overdueAfter(), at -> { },
                failures);
    }

    @Override
    public void process(Record<String, String> record) {
        RenewalRequest request;
        try {
            request = RenewalRequestCheck.read(record.value());
        } catch (RuntimeException e) {
            failures.deadLetter(context, record, RenewalTopology.FANOUT_DEAD_LETTER_SINK, Topics.RENEWAL_REQUESTS_FANOUT,
                    RecordFailures.reason(e));
            return;
        }
        if (handled.get(request.requestId()) != null) {
            return;
        }
        long now = context.currentSystemTimeMs();
        handled.put(request.requestId(), String.valueOf(now));
        if (RenewalRequest.BOT_DELETED.equals(request.scope())) {
            forget(request.bot());
            return;
        }
        List<TrackedIdentity> named = new ArrayList<>();
        try (KeyValueIterator<String, String> all = identities.all()) {
            while (all.hasNext()) {
                KeyValue<String, String> entry = all.next();
                try {
                    TrackedIdentity identity = EventJson.read(entry.value, TrackedIdentity.class);
                    if (names(request, identity) && Instant.ofEpochMilli(now).isBefore(identity.validBefore())) {
                        named.add(identity);
                    }
                } catch (RuntimeException e) {
                    if (e instanceof KafkaException) {
                        throw e;
                    }
                    // One unreadable identity is left as it is; the request reaches every other one.
                    failures.failed("renew-now", e, "identity " + entry.key + " as stored");
                }
            }
        }
        // Evenly spaced in a stable, request-specific order: every second of the window gets its share.
        named.sort(Comparator.comparingDouble(i -> RenewalSchedule.unitHash(i.instanceId() + request.requestId())));
        long window = (request.spread() == null ? Duration.ZERO : request.spread()).toMillis();
        for (int i = 0; i < named.size(); i++) {
            long offset = (long) (window * (i + 0.5) / named.size());
            timers.track(named.get(i).renewAt(Instant.ofEpochMilli(now + offset)));
        }
    }

    /** A deleted bot: its identities and their timers go, so nothing is due, overdue or alerted for it any more. */
    private void forget(String bot) {
        List<TrackedIdentity> of = new ArrayList<>();
        try (KeyValueIterator<String, String> all = identities.all()) {
            while (all.hasNext()) {
                KeyValue<String, String> entry = all.next();
                try {
                    TrackedIdentity identity = EventJson.read(entry.value, TrackedIdentity.class);
                    if (bot.equals(identity.bot())) {
                        of.add(identity);
                    }
                } catch (RuntimeException e) {
                    if (e instanceof KafkaException) {
                        throw e;
                    }
                    failures.failed("bot-deleted", e, "identity " + entry.key + " as stored");
                }
            }
        }
        of.forEach(timers::forget);
    }

    private static boolean names(RenewalRequest request, TrackedIdentity identity) {
        if (request.bot() != null) {
            return request.bot().equals(identity.bot());
        }
        if (request.role() != null) {
            return identity.roles().contains(request.role());
        }
        return RenewalRequest.ALL.equals(request.scope()) || RenewalRequest.AFTER_CA_ROTATION.equals(request.scope());
    }
}
