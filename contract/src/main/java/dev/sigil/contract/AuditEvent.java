package dev.sigil.contract;

import java.time.Instant;
import java.util.List;

/**
 * One line of the audit trail on {@code sigil.audit}: who got what (the identity, and each output as
 * {@code name kind serial roles principals}), or why not; or a write through the admin API ({@link #ADMIN_WRITE}),
 * naming the {@code admin} who made it. Never carries key material.
 */
public record AuditEvent(Instant time, String event, String bot, String instanceId, String joinMethod,
        List<String> roles, List<String> principals, String serial, Instant validBefore, String reasonCode,
        String message, List<String> outputs, String admin) {

    public AuditEvent(Instant time, String event, String bot, String instanceId, String joinMethod, List<String> roles,
            List<String> principals, String serial, Instant validBefore, String reasonCode, String message,
            List<String> outputs) {
        this(time, event, bot, instanceId, joinMethod, roles, principals, serial, validBefore, reasonCode, message, outputs, null);
    }

    public AuditEvent(Instant time, String event, String bot, String instanceId, String joinMethod, List<String> roles,
            List<String> principals, String serial, Instant validBefore, String reasonCode, String message) {
        this(time, event, bot, instanceId, joinMethod, roles, principals, serial, validBefore, reasonCode, message, null);
    }
    public static final String ISSUED = "issued";
    public static final String REFUSED = "refused";
    /**
     * A request of an admin that writes through the admin API: {@code admin} names the admin, {@code instanceId} the
     * admin bot's instance, {@code roles} its admin roles, {@code message} the method, path and answer status, and
     * {@code reasonCode} the refusal's code when it was refused.
     */
    public static final String ADMIN_WRITE = "admin-write";
}
