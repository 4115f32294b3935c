package dev.sigil.output.delivery;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts the records output-writer could not use, for {@code /q/metrics}: dead-lettered ones
 * ({@code sigil_records_dead_lettered_total{topic}}), ones skipped with a log line because another service owns
 * their dead letters or nobody waits for them ({@code sigil_records_ignored_total{topic}}), and failures inside a
 * stage ({@code sigil_records_failed_total{stage, exception}}). Labels stay bounded: our topics and stages, and
 * exception class names.
 */
final class RecordFailures {
    private final MeterRegistry registry;

    RecordFailures(MeterRegistry registry) {
        this.registry = registry;
    }

    void deadLettered(String topic) {
        registry.counter("sigil.records.dead.lettered", "topic", topic).increment();
    }

    void ignored(String topic) {
        registry.counter("sigil.records.ignored", "topic", topic).increment();
    }

    void failed(String stage, Throwable cause) {
        registry.counter("sigil.records.failed", "stage", stage, "exception", cause.getClass().getSimpleName()).increment();
    }
}
