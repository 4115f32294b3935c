package dev.sigil.renewal.schedule;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.ReplyHeaders;

/**
 * Tracks every identity issued on {@code sigil.issue.results} in the {@code identities} store with its renewal
 * point; unreadable results go to the dead-letter topic.
 */
final class TrackingProcessor implements Processor<String, String, String, String> {
    private static final Logger LOG = Logger.getLogger(TrackingProcessor.class);

    private final RenewalSchedule schedule;
    private ProcessorContext<String, String> context;
    private KeyValueStore<String, String> identities;

    TrackingProcessor(RenewalSchedule schedule) {
        this.schedule = schedule;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
        this.identities = context.getStateStore(RenewalTopology.IDENTITIES);
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
        TrackedIdentity tracked = schedule.track(result);
        identities.put(tracked.instanceId(), EventJson.write(tracked));
    }
}
