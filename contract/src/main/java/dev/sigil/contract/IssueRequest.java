package dev.sigil.contract;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A request for certificates on {@code sigil.issue.requests}, keyed by bot. Carries only the holder's public key
 * (OpenSSH {@code authorized_keys} form); the private key never leaves the holder. A renewal names the bot
 * instance and generation its current certificate carries; a join leaves {@code renewal} empty. Besides the bot's
 * own identity (for {@code publicKey}), a request may ask for outputs, each for its own public key.
 */
public record IssueRequest(String requestId, String bot, Attestation attestation, String publicKey, Duration ttl,
        Instant requestedAt, BotInstance renewal, List<OutputRequest> outputs, String host) {

    /** Without the caller's address: output-writer's deliveries, and tests. */
    public IssueRequest(String requestId, String bot, Attestation attestation, String publicKey, Duration ttl,
            Instant requestedAt, BotInstance renewal, List<OutputRequest> outputs) {
        this(requestId, bot, attestation, publicKey, ttl, requestedAt, renewal, outputs, null);
    }

    /** An IP address as join-service saw the caller's (v4 or v6, no zone). */
    private static final java.util.regex.Pattern ADDRESS = java.util.regex.Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    public IssueRequest(String requestId, String bot, Attestation attestation, String publicKey, Duration ttl,
            Instant requestedAt) {
        this(requestId, bot, attestation, publicKey, ttl, requestedAt, null, null, null);
    }

    /** An OpenSSH public key line of any kind Sigil signs fits well within this. */
    public static final int MAX_PUBLIC_KEY_CHARS = 16 * 1024;

    public IssueRequest {
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }

    /**
     * What makes this request unanswerable as it stands, before any policy: missing parts, too many outputs, a
     * name that breaks its grammar ({@link Names}), a ttl that is not positive; empty when nothing does.
     */
    public Optional<String> problem() {
        if (attestation == null || attestation.joinMethod() == null) {
            return Optional.of("an issue request needs an attestation with a join method");
        }
        if (publicKey == null || publicKey.isBlank() || publicKey.length() > MAX_PUBLIC_KEY_CHARS) {
            return Optional.of("an issue request needs a public key of at most " + MAX_PUBLIC_KEY_CHARS + " characters");
        }
        if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
            return Optional.of("ttl must be positive, like 1h or 30m");
        }
        if (host != null && !ADDRESS.matcher(host).matches()) {
            return Optional.of("host must be the caller's IP address as join-service saw it");
        }
        if (outputs.size() > Names.MAX_OUTPUTS) {
            return Optional.of("it asks for " + outputs.size() + " outputs; the limit is " + Names.MAX_OUTPUTS
                    + " per request, so ask for the others in another request");
        }
        Optional<String> bad = Names.RESOURCE.problem(bot).or(() -> Names.RESOURCE.problem(requestId));
        for (int i = 0; bad.isEmpty() && i < outputs.size(); i++) {
            OutputRequest output = outputs.get(i);
            bad = output == null ? Optional.of("output " + (i + 1) + " is null")
                    : output.problem().map(p -> "output '" + Names.printable(String.valueOf(output.name())) + "': " + p);
        }
        return bad;
    }
}
