package dev.sigil.issuer.issue;

import dev.sigil.contract.BotInstance;

/** What the issuer keeps per bot instance: its current generation, and why it is locked if it is. */
record InstanceState(BotInstance instance, String lockedReason) {
}
