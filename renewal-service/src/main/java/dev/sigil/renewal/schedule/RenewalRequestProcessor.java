package dev.sigil.renewal.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.RenewalRequest;

/**
 * "Renew now" requests, as broadcast to every partition ({@code sigil.renewal.requests.fanout}): the identities
 * this task tracks that the request names are rescheduled evenly over its spread window, so a fleet-wide request
 * does not become a thundering herd. Each request id is handled once per partition.
 */
final class RenewalRequestProcessor implements Processor<String, String, String, String> {
    private static final Logger LOG = Logger.getLogger(RenewalRequestProcessor.class);

    private final RenewalSchedule schedule;
    private KeyValueStore<String, String> identities;
    private KeyValueStore<String, String> handled;
    private Timers timers;

    RenewalRequestProcessor(RenewalSchedule schedule) {
        this.schedule = schedule;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        identities = context.getStateStore(RenewalTopology.IDENTITIES);
        handled = context.getStateStore(RenewalTopology.HANDLED_REQUESTS);
        // Its timers are set at now or later, never before the tracker's last scan: nothing to report.
        timers = new Timers(identities, context.getStateStore(RenewalTopology.TIMERS), schedule.overdueAfter(), at -> { });
    }

    @Override
    public void process(Record<String, String> record) {
        RenewalRequest request;
        try {
            request = EventJson.read(record.value(), RenewalRequest.class);
        } catch (MalformedEventException e) {
            LOG.warnf("ignoring an unreadable renewal request: %s", e.getMessage());
            return;
        }
        if (request.requestId() == null || handled.get(request.requestId()) != null) {
            return;
        }
        long now = System.currentTimeMillis();
        handled.put(request.requestId(), String.valueOf(now));
        List<TrackedIdentity> named = new ArrayList<>();
        try (KeyValueIterator<String, String> all = identities.all()) {
            all.forEachRemaining(kv -> {
                TrackedIdentity identity = EventJson.read(kv.value, TrackedIdentity.class);
                if (names(request, identity) && Instant.ofEpochMilli(now).isBefore(identity.validBefore())) {
                    named.add(identity);
                }
            });
        }
        // Evenly spaced in a stable, request-specific order: every second of the window gets its share.
        named.sort(Comparator.comparingDouble(i -> RenewalSchedule.unitHash(i.instanceId() + request.requestId())));
        long window = (request.spread() == null ? Duration.ZERO : request.spread()).toMillis();
        for (int i = 0; i < named.size(); i++) {
            long offset = (long) (window * (i + 0.5) / named.size());
            timers.track(named.get(i).renewAt(Instant.ofEpochMilli(now + offset)));
        }
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
