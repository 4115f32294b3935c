package dev.sigil.join.joinmethod;

import java.time.Duration;

/**
 * The body of {@code POST /v1/join}: the join method; {@code token}, the join token (its secret for method
 * {@code token}, its name for delegated methods); {@code idToken}, the platform's signed token for delegated
 * methods; the holder's public key in OpenSSH form and the TTL it would like.
 */
public record JoinRequest(String joinMethod, String token, String idToken, String publicKey, Duration ttl) {
}
