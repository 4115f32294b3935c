package dev.sigil.contract;

import java.time.Instant;

/** "Identity X is due", on {@code sigil.renewal.due}, keyed by bot: its holder should renew it now. */
public record RenewalDue(String bot, String instanceId, String serial, Instant renewAt, Instant validBefore) {
}
