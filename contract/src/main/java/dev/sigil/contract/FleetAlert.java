package dev.sigil.contract;

import java.time.Instant;

/**
 * On {@code sigil.alerts}, keyed by bot: an identity became {@code overdue} (its renewal point passed a while ago
 * and it was not renewed) or {@code expired}, with a sentence saying what to look at.
 */
public record FleetAlert(String bot, String instanceId, String serial, String state, Instant at, Instant renewAt,
        Instant validBefore, String message) {
    public static final String OVERDUE = "overdue";
    public static final String EXPIRED = "expired";
}
