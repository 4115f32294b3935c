package dev.sigil.renewal.schedule;

import java.time.Duration;
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

    /** A while past the renewal point — at most half-way to expiry — an identity not renewed is overdue. */
    public Instant overdueAt(Duration overdueAfter) {
        Duration left = Duration.between(renewAt, validBefore);
        Duration grace = left.dividedBy(2).compareTo(overdueAfter) < 0 ? left.dividedBy(2) : overdueAfter;
        return renewAt.plus(grace.isNegative() ? Duration.ZERO : grace);
    }

    /** Where an identity stands at a moment: fresh until its renewal point, then due, overdue, and expired. */
    public String state(Instant now, Duration overdueAfter) {
        if (!now.isBefore(validBefore)) {
            return "expired";
        }
        if (now.isBefore(renewAt)) {
            return "fresh";
        }
        return now.isBefore(overdueAt(overdueAfter)) ? "due" : "overdue";
    }
}
