package dev.sigil.issuer.policy;

import dev.sigil.contract.LeafClusterSpec;
import dev.sigil.contract.OutputRequest;

/** An output request policy allowed, with what it grants and, when routed to one, the leaf cluster. */
public record OutputGrant(OutputRequest output, Grant grant, LeafClusterSpec leaf) {
}
