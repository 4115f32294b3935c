package dev.sigil.issuer.policy;

import dev.sigil.contract.Refusal;

/** The outcome of the issuance checks: a grant, or the first refusal. */
public record Decision(Grant grant, Refusal refusal) {
    public boolean allowed() {
        return grant != null;
    }
}
