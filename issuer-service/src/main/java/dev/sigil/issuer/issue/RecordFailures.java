package dev.sigil.issuer.issue;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts the records the issuer could not handle as asked, for {@code /q/metrics}: unreadable ones sent to a
 * dead-letter topic, and ones that failed inside a stage and were answered with a refusal instead of stopping it.
 */
final class RecordFailures {
    private final MeterRegistry registry;

    RecordFailures(MeterRegistry registry) {
        this.registry = registry;
    }

    void deadLettered(String topic) {
        registry.counter("sigil.records.dead.lettered", "topic", topic).increment();
    }

    /** A failure inside a stage; the exception's class is a bounded label that says what to look for in the log. */
    void failed(String stage, Throwable cause) {
        registry.counter("sigil.records.failed", "stage", stage, "exception", cause.getClass().getSimpleName()).increment();
    }
}
