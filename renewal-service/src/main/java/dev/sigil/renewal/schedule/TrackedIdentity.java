package dev.sigil.renewal.schedule;

import java.time.Instant;
import java.util.List;

/** An issued identity renewal-service watches: when it was issued, when to renew it and when it expires. */
public record TrackedIdentity(String bot, String instanceId, String serial, List<String> roles, Instant validAfter,
        Instant validBefore, Instant renewAt) {

    public TrackedIdentity {
        roles = roles == null ? List.of() : List.copyOf(roles);
    }

    public TrackedIdentity renewAt(Instant when) {
        return new TrackedIdentity(bot, instanceId, serial, roles, validAfter, validBefore, when);
    }

    /** Where an identity stands at a moment: fresh until its renewal point, then due, then expired. */
    public String state(Instant now) {
        if (!now.isBefore(validBefore)) {
            return "expired";
        }
        return now.isBefore(renewAt) ? "fresh" : "due";
    }
}
