package dev.sigil.contract;

import java.time.Instant;

/**
 * What join-service established about a joining bot: the join method and join token that vouched for it, and the
 * proof it presented. issuer-service accepts each {@code proofId} once until {@code proofExpires}: that makes
 * {@code token} joins single-use and refuses a replayed platform token, exactly once across replicas.
 */
public record Attestation(String joinMethod, String joinToken, String proofId, Instant proofExpires) {
}
