package dev.sigil.join.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.sigil.join.api.RefusalException;

class RateLimitsTest {

    @Test
    void aClientGetsItsBurstThen429WithRetryAfter() {
        RateLimits limits = new RateLimits(1, 3, 1, 1);
        for (int i = 0; i < 3; i++) {
            limits.client("10.0.0.1");
        }
        assertThatThrownBy(() -> limits.client("10.0.0.1")).isInstanceOfSatisfying(RefusalException.class, e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.refusal().code()).isEqualTo("RATE_LIMITED");
            assertThat(e.retryAfterSeconds()).isEqualTo(1);
        });
        limits.client("10.0.0.2"); // another client is not affected
    }

    @Test
    void botsAreLimitedSeparatelyFromClients() {
        RateLimits limits = new RateLimits(100, 100, 1, 2);
        limits.bot("a");
        limits.bot("a");
        assertThatThrownBy(() -> limits.bot("a")).hasMessageContaining("joining too often");
        limits.bot("b");
    }
}
