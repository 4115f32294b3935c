package dev.sigil.join.audit;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;

/**
 * The places for audit followers on this replica: each is a live HTTP stream, so there are at most {@link #MAX} in
 * all and {@link #PER_ADMIN} per admin (a script looping on one admin's certificate cannot take every place). A place
 * is counted and taken in one step, so concurrent requests cannot both take the last one.
 */
@ApplicationScoped
public class FollowerSlots {
    static final int MAX = 64;
    static final int PER_ADMIN = 4;

    private final Map<String, Integer> byAdmin = new HashMap<>();
    private int taken;

    /** Takes a place for the admin, or refuses; returns how to give it back (once, however often it is called). */
    public synchronized Runnable take(String admin) {
        int theirs = byAdmin.getOrDefault(admin, 0);
        if (theirs >= PER_ADMIN) {
            throw new RefusalException(429, Refusal.RATE_LIMITED, "admin '" + admin + "' already follows the audit trail "
                    + "in " + theirs + " streams on this join-service replica, the most one admin may; close one first");
        }
        if (taken >= MAX) {
            throw new RefusalException(503, Refusal.UNAVAILABLE, "this join-service replica already streams the audit "
                    + "trail to " + MAX + " followers; try again later or ask another replica");
        }
        byAdmin.put(admin, theirs + 1);
        taken++;
        AtomicBoolean given = new AtomicBoolean();
        return () -> {
            if (given.compareAndSet(false, true)) {
                give(admin);
            }
        };
    }

    private synchronized void give(String admin) {
        taken--;
        byAdmin.computeIfPresent(admin, (a, n) -> n > 1 ? n - 1 : null);
    }
}
