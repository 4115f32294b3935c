package dev.sigil.join.joinmethod;

import dev.sigil.contract.Attestation;

/** A join whose proof checked out: which bot it is and what vouched for it. */
public record VerifiedJoin(String bot, Attestation attestation) {
}
