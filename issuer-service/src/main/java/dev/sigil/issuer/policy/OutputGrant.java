package dev.sigil.issuer.policy;

import dev.sigil.contract.OutputRequest;

/** An output request policy allowed, with what it grants. */
public record OutputGrant(OutputRequest output, Grant grant) {
}
