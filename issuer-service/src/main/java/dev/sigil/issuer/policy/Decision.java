package dev.sigil.issuer.policy;

import java.util.List;

import dev.sigil.contract.Refusal;

/** The outcome of the issuance checks: a grant for the bot's identity and one per output, or the first refusal. */
public record Decision(Grant grant, List<OutputGrant> outputs, Refusal refusal) {
    public boolean allowed() {
        return grant != null;
    }
}
