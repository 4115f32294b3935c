package dev.sigil.renewal.schedule;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.jboss.logging.Logger;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.RenewalRequest;
import dev.sigil.contract.ReplyHeaders;

/**
 * Reads each renewal request once, before it is broadcast: an unreadable one goes to
 * {@code sigil.renewal.requests.dlq} with the reason (once, not once per partition), a readable one goes on.
 */
final class RenewalRequestCheck implements Processor<String, String, String, String> {
    private static final Logger LOG = Logger.getLogger(RenewalRequestCheck.class);
    private ProcessorContext<String, String> context;

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, String> record) {
        String problem;
        try {
            if (record.value() == null) {
                throw new MalformedEventException("an empty record is not a renewal request");
            }
            RenewalRequest request = EventJson.read(record.value(), RenewalRequest.class);
            problem = request.requestId() == null ? "a renewal request needs a requestId" : null;
        } catch (MalformedEventException e) {
            problem = e.getMessage();
        }
        if (problem == null) {
            context.forward(record, "broadcast");
            return;
        }
        LOG.warnf("dead-lettering an unreadable renewal request: %s", problem);
        context.forward(record.withHeaders(ReplyHeaders.withDeadLetterReason(record.headers(), problem)),
                RenewalTopology.REQUEST_DEAD_LETTER_SINK);
    }
}
