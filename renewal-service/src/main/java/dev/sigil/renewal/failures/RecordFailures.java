package dev.sigil.renewal.failures;

import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.jboss.logging.Logger;

import dev.sigil.contract.ReplyHeaders;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What renewal-service does with a record it cannot use: parks it on a dead-letter topic with the reason (header
 * {@code dead-letter-reason}) and counts it, {@code sigil_records_dead_lettered_total{topic}}; failures that have no
 * record of their own (a timer that cannot fire) are logged and counted as {@code sigil_records_failed_total{stage,
 * exception}}. Labels stay bounded: topics and stages are ours, exceptions are class names.
 */
public final class RecordFailures {
    private static final Logger LOG = Logger.getLogger(RecordFailures.class);
    /** A reason is quoted in a header and a log line: long enough to say what broke, short enough to stay one. */
    static final int MAX_REASON = 1_000;

    private final MeterRegistry registry;

    public RecordFailures(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Forwards the record to a dead-letter sink with the reason. The dead letter is stamped with the wall-clock time,
     * not the record's: a hostile far-future timestamp would make the broker refuse it and fail the transaction, and
     * exactly-once would then replay the same record forever.
     */
    public void deadLetter(ProcessorContext<String, String> context, Record<String, String> record, String sink, String topic,
            String reason) {
        String why = printable(reason);
        LOG.warnf("dead-lettering a record of %s (key %s): %s", topic, printable(String.valueOf(record.key())), why);
        context.forward(record.withHeaders(ReplyHeaders.withDeadLetterReason(record.headers(), why))
                .withTimestamp(context.currentSystemTimeMs()), sink);
        registry.counter("sigil.records.dead.lettered", "topic", topic).increment();
    }

    /** A failure with no record to park: logged with its cause and counted by stage and exception class. */
    public void failed(String stage, Throwable cause, String what) {
        LOG.errorf(cause, "%s failed: %s", stage, printable(what));
        registry.counter("sigil.records.failed", "stage", stage, "exception", cause.getClass().getSimpleName()).increment();
    }

    /** Why an exception stopped a record, as a reason: our own malformed-event messages as they are, others with their class. */
    public static String reason(RuntimeException e) {
        return e instanceof dev.sigil.contract.MalformedEventException || e.getMessage() == null
                ? String.valueOf(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** Text from a hostile record as it may be logged or put in a header: control characters escaped, bounded. */
    public static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(MAX_REASON).forEach(c -> {
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || Character.getType(c) == Character.LINE_SEPARATOR || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return text.codePointCount(0, text.length()) > MAX_REASON ? out + "…" : out.toString();
    }
}
