package dev.sigil.issuer.issue;

import java.util.Map;

import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Metrics;

/**
 * The backstop behind the issuer's processors ({@code processing.exception.handler}): each processor answers a
 * failing request with a refusal itself, so only a bug reaches this. Skipping that one record (logged and counted)
 * keeps the CA up for every other bot; failing would stop the stream thread, and under exactly-once a restart would
 * replay the same record and stop again. The caller of a skipped request times out and may retry.
 */
public final class SkipFailedRecord implements ProcessingExceptionHandler {
    private static final Logger LOG = Logger.getLogger(SkipFailedRecord.class);

    @Override
    public ProcessingHandlerResponse handle(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        LOG.errorf(exception, "skipping a record that failed in %s (%s partition %d offset %d)", context.processorNodeId(),
                context.topic(), context.partition(), context.offset());
        Metrics.counter("sigil.records.failed", "stage", context.processorNodeId(), "exception",
                exception.getClass().getSimpleName()).increment();
        return ProcessingHandlerResponse.CONTINUE;
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
