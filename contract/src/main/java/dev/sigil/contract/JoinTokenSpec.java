package dev.sigil.contract;

import java.time.Instant;

/**
 * A join token as kept on {@code sigil.join-tokens}. {@code name} is the SHA-256 of the secret the bot presents,
 * so reading the topic never yields a usable token.
 */
public record JoinTokenSpec(String name, String bot, String joinMethod, Instant expires) {
    public boolean expiredAt(Instant now) {
        return expires != null && !now.isBefore(expires);
    }
}
