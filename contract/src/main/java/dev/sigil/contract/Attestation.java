package dev.sigil.contract;

import java.time.Instant;

/**
 * What join-service established about a joining bot: the join method and join token that vouched for it, and the
 * proof it presented. issuer-service accepts each {@code proofId} once until {@code proofExpires}: that makes
 * {@code token} joins single-use and refuses a replayed platform token, exactly once across replicas. Join tokens
 * that limit how often they can be joined with carry {@code limits}, which the issuer counts per token.
 */
public record Attestation(String joinMethod, String joinToken, String proofId, Instant proofExpires, JoinLimits limits) {
    /** output-writer's requests for a delivery: the delivery (named as the join token) is the proof. */
    public static final String DELIVERY = "delivery";

    /** The one bot instance of a delivery, whichever output-writer replica holds it. */
    public static String deliveryInstance(String deliveryId) {
        return "delivery-" + deliveryId;
    }

    public Attestation(String joinMethod, String joinToken, String proofId, Instant proofExpires) {
        this(joinMethod, joinToken, proofId, proofExpires, null);
    }

    /**
     * How often a join token may start a new bot instance: at most {@code maxJoins} times (null: no limit), the
     * first time before {@code firstJoinBefore} (null: any time).
     */
    public record JoinLimits(Integer maxJoins, Instant firstJoinBefore) {
    }
}
