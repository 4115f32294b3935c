package dev.sigil.contract;

import java.time.Duration;
import java.time.Instant;

/**
 * A request for certificates on {@code sigil.issue.requests}, keyed by bot. Carries only the holder's public key
 * (OpenSSH {@code authorized_keys} form); the private key never leaves the holder.
 */
public record IssueRequest(String requestId, String bot, Attestation attestation, String publicKey, Duration ttl,
        Instant requestedAt) {
}
