package dev.sigil.renewal.failures;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler.ProcessingHandlerResponse;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.ProductionExceptionHandlerResponse;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The Streams exception handlers renewal-service runs with, and what each does with a failure. */
class FailureHandlersTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void listen() {
        Metrics.addRegistry(registry);
    }

    @AfterEach
    void stopListening() {
        Metrics.removeRegistry(registry);
    }

    @Test
    void theServiceRunsWithTheseHandlers() throws IOException {
        Properties application = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            application.load(in);
        }
        assertThat(application.getProperty("kafka-streams.deserialization.exception.handler"))
                .isEqualTo(LogAndContinueExceptionHandler.class.getName());
        assertThat(application.getProperty("kafka-streams.processing.exception.handler")).isEqualTo(SkipFailedRecord.class.getName());
        assertThat(application.getProperty("kafka-streams.production.exception.handler"))
                .isEqualTo(SkipUnsendableRecord.class.getName());
        assertThat(application.getProperty("kafka-streams.default.timestamp.extractor"))
                .isEqualTo(WallClockForInvalidTimestamp.class.getName());
    }

    @Test
    void aRecordOrPunctuationThatFailsIsSkippedAndCounted() {
        SkipFailedRecord handler = new SkipFailedRecord();

        assertThat(handler.handle(context("track"), new Record<>("k", "v", 0L), new IllegalStateException("bug")))
                .isEqualTo(ProcessingHandlerResponse.CONTINUE);
        assertThat(handler.handle(context("track"), null, new IllegalStateException("bug in a punctuator")))
                .isEqualTo(ProcessingHandlerResponse.CONTINUE);
        assertThat(registry.counter("sigil.records.failed", "stage", "track", "exception", "IllegalStateException").count())
                .isEqualTo(2);
    }

    @Test
    void onlyWhatTheBrokerCanNeverTakeIsSkipped() {
        SkipUnsendableRecord handler = new SkipUnsendableRecord();
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("sigil.issue.results.dlq", new byte[1], new byte[1]);

        assertThat(handler.handle(context("dead-letters"), record, new RecordTooLargeException("too large")))
                .isEqualTo(ProductionExceptionHandlerResponse.CONTINUE);
        assertThat(handler.handle(context("dead-letters"), record, new InvalidTimestampException("out of window")))
                .isEqualTo(ProductionExceptionHandlerResponse.CONTINUE);
        assertThat(registry.find("sigil.records.unsent").tag("topic", "sigil.issue.results.dlq").counters())
                .extracting(c -> c.count()).containsExactlyInAnyOrder(1.0, 1.0);
        // The broker away: fail the transaction, nothing half-written, and let the replaced thread try again.
        assertThat(handler.handle(context("renewal-due"), record, new TimeoutException("broker away")))
                .isEqualTo(ProductionExceptionHandlerResponse.FAIL);
    }

    private static ErrorHandlerContext context(String node) {
        return new ErrorHandlerContext() {
            @Override
            public String topic() {
                return "sigil.issue.results";
            }

            @Override
            public int partition() {
                return 0;
            }

            @Override
            public long offset() {
                return 0;
            }

            @Override
            public Headers headers() {
                return new RecordHeaders();
            }

            @Override
            public String processorNodeId() {
                return node;
            }

            @Override
            public TaskId taskId() {
                return new TaskId(0, 0);
            }

            @Override
            public long timestamp() {
                return 0;
            }

            @Override
            public byte[] sourceRawKey() {
                return null;
            }

            @Override
            public byte[] sourceRawValue() {
                return null;
            }
        };
    }
}
