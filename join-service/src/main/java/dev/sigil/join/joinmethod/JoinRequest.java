package dev.sigil.join.joinmethod;

import java.time.Duration;

/**
 * The body of {@code POST /v1/join}: the join method, the proof it needs ({@code token}: the join token's secret
 * or the platform's signed token), the holder's public key in OpenSSH form and the TTL it would like.
 */
public record JoinRequest(String joinMethod, String token, String publicKey, Duration ttl) {
}
