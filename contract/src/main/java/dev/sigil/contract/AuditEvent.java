package dev.sigil.contract;

import java.time.Instant;
import java.util.List;

/**
 * One line of the audit trail on {@code sigil.audit}: who got what (the identity, and each output as
 * {@code name kind serial roles principals}), or why not. Never carries key material.
 */
public record AuditEvent(Instant time, String event, String bot, String instanceId, String joinMethod,
        List<String> roles, List<String> principals, String serial, Instant validBefore, String reasonCode,
        String message, List<String> outputs) {

    public AuditEvent(Instant time, String event, String bot, String instanceId, String joinMethod, List<String> roles,
            List<String> principals, String serial, Instant validBefore, String reasonCode, String message) {
        this(time, event, bot, instanceId, joinMethod, roles, principals, serial, validBefore, reasonCode, message, null);
    }
    public static final String ISSUED = "issued";
    public static final String REFUSED = "refused";
}
