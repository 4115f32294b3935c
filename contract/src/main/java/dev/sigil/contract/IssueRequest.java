package dev.sigil.contract;

import java.time.Duration;
import java.time.Instant;

/**
 * A request for certificates on {@code sigil.issue.requests}, keyed by bot. Carries only the holder's public key
 * (OpenSSH {@code authorized_keys} form); the private key never leaves the holder. A renewal names the bot
 * instance and generation its current certificate carries; a join leaves {@code renewal} empty.
 */
public record IssueRequest(String requestId, String bot, Attestation attestation, String publicKey, Duration ttl,
        Instant requestedAt, BotInstance renewal) {

    public IssueRequest(String requestId, String bot, Attestation attestation, String publicKey, Duration ttl,
            Instant requestedAt) {
        this(requestId, bot, attestation, publicKey, ttl, requestedAt, null);
    }
}
