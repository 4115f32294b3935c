package dev.sigil.renewal.failures;

import java.util.Map;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Metrics;

/**
 * renewal-service's {@code production.exception.handler}: a record the broker can never take (too large, a timestamp
 * out of its window) is skipped, logged and counted ({@code sigil_records_unsent_total{topic, exception}}), because
 * failing would replay the input that produced it into the same failure forever. Any other send failure is the
 * broker's or the network's: failing the transaction (nothing half-written) and replacing the thread
 * ({@link StreamThreadReplacer}) retries it. What renewal-service writes is bounded by its input checks (renewal
 * requests of at most 4 KB, names by their grammar) and stamped with the wall-clock time, so this is a backstop.
 */
public final class SkipUnsendableRecord implements ProductionExceptionHandler {
    private static final Logger LOG = Logger.getLogger(SkipUnsendableRecord.class);

    @Override
    public ProductionExceptionHandlerResponse handle(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
            Exception exception) {
        if (exception instanceof RecordTooLargeException || exception instanceof InvalidTimestampException) {
            return skip(record.topic(), exception);
        }
        return ProductionExceptionHandlerResponse.FAIL;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public ProductionExceptionHandlerResponse handleSerializationException(ErrorHandlerContext context, ProducerRecord record,
            Exception exception, SerializationExceptionOrigin origin) {
        // Every sink writes Strings, which cannot fail to serialize; were one ever to, retrying could not help.
        return skip(record.topic(), exception);
    }

    private static ProductionExceptionHandlerResponse skip(String topic, Exception exception) {
        LOG.errorf(exception, "a record for %s can never be sent; skipping it", topic);
        Metrics.counter("sigil.records.unsent", "topic", topic, "exception", exception.getClass().getSimpleName()).increment();
        return ProductionExceptionHandlerResponse.CONTINUE;
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
