package dev.sigil.contract;

import java.time.Instant;

/**
 * A lock on {@code sigil.locks}, keyed by its target: {@code bot:<name>}, {@code join-token:<name>} or
 * {@code instance:<id>}. While it holds, every issuance for the target is refused with the lock's reason.
 */
public record LockSpec(String target, String reason, Instant expires) {
    public static String bot(String name) {
        return "bot:" + name;
    }

    public static String joinToken(String name) {
        return "join-token:" + name;
    }

    public static String instance(String id) {
        return "instance:" + id;
    }

    public boolean inForceAt(Instant now) {
        return expires == null || now.isBefore(expires);
    }
}
