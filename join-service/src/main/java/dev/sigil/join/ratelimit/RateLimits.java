package dev.sigil.join.ratelimit;

import java.time.Duration;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;

/**
 * Token-bucket rate limits (Bucket4j) per client address and per bot, so one noisy runner or one bot stuck in a
 * loop cannot starve the others. A refused request gets 429 with {@code Retry-After}: when a token is back.
 */
@Singleton
public class RateLimits {
    private final Cache<String, Bucket> clients;
    private final Cache<String, Bucket> bots;
    private final long clientRate;
    private final long clientBurst;
    private final long botRate;
    private final long botBurst;

    public RateLimits(@ConfigProperty(name = "sigil.rate-limit.client.per-second", defaultValue = "50") long clientRate,
            @ConfigProperty(name = "sigil.rate-limit.client.burst", defaultValue = "200") long clientBurst,
            @ConfigProperty(name = "sigil.rate-limit.bot.per-second", defaultValue = "5") long botRate,
            @ConfigProperty(name = "sigil.rate-limit.bot.burst", defaultValue = "20") long botBurst) {
        this.clientRate = clientRate;
        this.clientBurst = clientBurst;
        this.botRate = botRate;
        this.botBurst = botBurst;
        this.clients = Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(Duration.ofMinutes(10)).build();
        this.bots = Caffeine.newBuilder().maximumSize(1_000_000).expireAfterAccess(Duration.ofMinutes(10)).build();
    }

    public void client(String address) {
        take(clients.get(address, a -> bucket(clientRate, clientBurst)),
                "too many requests from " + address + "; slow down and retry after the time in Retry-After");
    }

    public void bot(String bot) {
        take(bots.get(bot, b -> bucket(botRate, botBurst)),
                "bot '" + bot + "' is joining too often; a bot needs one join per renewal, check for a loop");
    }

    private static Bucket bucket(long perSecond, long burst) {
        return Bucket.builder().addLimit(limit -> limit.capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1))).build();
    }

    private static void take(Bucket bucket, String message) {
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            long seconds = Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L);
            throw new RefusalException(429, Refusal.RATE_LIMITED, message, seconds);
        }
    }
}
