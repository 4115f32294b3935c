package dev.sigil.contract;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A request for certificates on {@code sigil.issue.requests}, keyed by bot. Carries only the holder's public key
 * (OpenSSH {@code authorized_keys} form); the private key never leaves the holder. A renewal names the bot
 * instance and generation its current certificate carries; a join leaves {@code renewal} empty. Besides the bot's
 * own identity (for {@code publicKey}), a request may ask for outputs, each for its own public key.
 */
public record IssueRequest(String requestId, String bot, Attestation attestation, String publicKey, Duration ttl,
        Instant requestedAt, BotInstance renewal, List<OutputRequest> outputs) {

    public IssueRequest(String requestId, String bot, Attestation attestation, String publicKey, Duration ttl,
            Instant requestedAt) {
        this(requestId, bot, attestation, publicKey, ttl, requestedAt, null, null);
    }

    public IssueRequest {
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }
}
