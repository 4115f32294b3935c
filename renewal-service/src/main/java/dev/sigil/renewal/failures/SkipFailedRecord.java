package dev.sigil.renewal.failures;

import java.util.Map;

import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Metrics;

/**
 * The backstop behind renewal-service's processors and punctuators ({@code processing.exception.handler}). Each
 * processor dead-letters a record it cannot use itself, and the timer punctuator skips a timer it cannot fire, so
 * only a bug reaches this. Skipping that one record or punctuation (logged, counted as
 * {@code sigil_records_failed_total}) keeps every other identity's timers running; failing would stop the stream
 * thread, and under exactly-once the same record would be replayed into every restart and every replica.
 */
public final class SkipFailedRecord implements ProcessingExceptionHandler {
    private static final Logger LOG = Logger.getLogger(SkipFailedRecord.class);

    @Override
    public ProcessingHandlerResponse handle(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        // A punctuation has no record and no topic.
        LOG.errorf(exception, "skipping a %s that failed in %s (%s partition %d offset %d)", record == null ? "punctuation" : "record",
                context.processorNodeId(), context.topic(), context.partition(), context.offset());
        Metrics.counter("sigil.records.failed", "stage", String.valueOf(context.processorNodeId()), "exception",
                exception.getClass().getSimpleName()).increment();
        return ProcessingHandlerResponse.CONTINUE;
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
