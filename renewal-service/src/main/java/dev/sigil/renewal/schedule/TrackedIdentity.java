package dev.sigil.renewal.schedule;

import java.time.Instant;

/** An issued identity renewal-service watches: when it was issued, when to renew it and when it expires. */
public record TrackedIdentity(String bot, String instanceId, String serial, Instant validAfter, Instant validBefore,
        Instant renewAt) {

    /** Where an identity stands at a moment: fresh until its renewal point, then due, then expired. */
    public String state(Instant now) {
        if (!now.isBefore(validBefore)) {
            return "expired";
        }
        return now.isBefore(renewAt) ? "fresh" : "due";
    }
}
