package dev.sigil.issuer.issue;

import java.time.Duration;

import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Commits a stream thread's transaction right after the request it answers, at most once per interval. Answers are
 * readable only once committed, and on Streams' own timer a request that arrives after a quiet spell waits for the
 * next tick (half the interval on average) before its commit even starts. Under steady load this paces commits as
 * the timer did. A commit covers every task of the thread, so the pace is kept per thread, not per processor.
 */
final class PromptCommit {
    private static final ThreadLocal<long[]> LAST_REQUEST = ThreadLocal.withInitial(() -> new long[] { Long.MIN_VALUE / 2 });

    private final long intervalMs;

    PromptCommit(Duration interval) {
        this.intervalMs = interval.toMillis();
    }

    void request(ProcessorContext<?, ?> context) {
        long[] last = LAST_REQUEST.get();
        long now = context.currentSystemTimeMs();
        if (now - last[0] >= intervalMs) {
            context.commit();
            last[0] = now;
        }
    }
}
