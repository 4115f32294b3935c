package dev.sigil.join.joinmethod;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.sigil.contract.OutputRequest;

/**
 * The body of {@code POST /v1/join}: the join method; {@code token}, the join token (its secret for method
 * {@code token}, its name otherwise); the proof the method needs ({@code idToken}: a platform's signed token;
 * {@code challenge} and {@code signature}: a signed server challenge for {@code bound_keypair}; {@code stsRequest}:
 * a signed {@code sts:GetCallerIdentity} for {@code iam}); the holder's public key in OpenSSH form, the TTL it
 * would like, optionally a request id (a UUID: a retry with the same id gets the same certificates), and the
 * outputs wanted besides the bot's identity, each for its own public key; and, when re-joining, the identity the
 * bot still holds.
 */
public record JoinRequest(String joinMethod, String token, String idToken, String challenge, String signature,
        StsRequest stsRequest, String publicKey, Duration ttl, String requestId, List<OutputRequest> outputs,
        PreviousIdentity previousIdentity) {

    public JoinRequest(String joinMethod, String token, String idToken, String challenge, String signature,
            StsRequest stsRequest, String publicKey, Duration ttl) {
        this(joinMethod, token, idToken, challenge, signature, stsRequest, publicKey, ttl, null, null, null);
    }

    public JoinRequest(String joinMethod, String token, String idToken, String publicKey, Duration ttl) {
        this(joinMethod, token, idToken, null, null, null, publicKey, ttl, null, null, null);
    }

    /**
     * The identity a re-joining bot still holds: its certificate and a fresh challenge signed with its key. The
     * join then keeps the same bot instance (the next generation) instead of starting a new one.
     */
    public record PreviousIdentity(String certificate, String challenge, String signature) {
    }

    /** A signed AWS STS request as the client would send it: its headers (with Authorization) and its body. */
    public record StsRequest(Map<String, String> headers, String body) {
    }
}
