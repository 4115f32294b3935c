package dev.sigil.output.agent.proof;

import java.util.Map;

/**
 * The proof fields of {@code POST /v1/join} besides the join token: a platform's signed token ({@code idToken}); a
 * signed Sigil challenge ({@code challenge}, {@code signature}: base64) for bound_keypair; the challenge and a signed
 * {@code sts:GetCallerIdentity} ({@code stsRequest}) for iam. Unused fields are null.
 */
public record JoinProof(String idToken, String challenge, String signature, StsRequest stsRequest) {
    /** Method token: the join token is the whole proof. */
    public static final JoinProof NONE = new JoinProof(null, null, null, null);

    public static JoinProof idToken(String idToken) {
        return new JoinProof(idToken, null, null, null);
    }

    public static JoinProof signedChallenge(String challenge, String signature) {
        return new JoinProof(null, challenge, signature, null);
    }

    public static JoinProof sts(String challenge, StsRequest request) {
        return new JoinProof(null, challenge, null, request);
    }

    /** A signed AWS STS request as it would be sent: its headers (with Authorization) and its body. */
    public record StsRequest(Map<String, String> headers, String body) {
    }
}
