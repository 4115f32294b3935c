package dev.sigil.join.admins;

import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.sigil.join.api.RefusalException;

/**
 * Whether an admin admitted earlier would still be admitted now, for what outlives its request (an audit stream): the
 * same check {@link AdminAccess} makes at each request (admins table, locks), plus the end of its certificate or
 * console session.
 */
@ApplicationScoped
public class AdminStanding {
    @Inject
    AdminAccess access;

    /** Empty while the admin stands; else the sentence saying why it no longer does. */
    public Optional<String> lapsed(Admin admin, Instant now) {
        if (!now.isBefore(admin.expires())) {
            return Optional.of("admin '" + admin.name() + "''s " + admin.via() + " ended at " + admin.expires());
        }
        try {
            access.admitted(admin.name(), admin.instanceId(), admin.joinToken(), admin.via(), admin.expires());
            return Optional.empty();
        } catch (RefusalException e) {
            return Optional.of(e.refusal().code() + ": " + e.refusal().message());
        }
    }
}
