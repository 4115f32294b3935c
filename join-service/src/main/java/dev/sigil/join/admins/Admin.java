package dev.sigil.join.admins;

import java.time.Instant;

import dev.sigil.contract.AdminSpec;

/**
 * The admin behind one admin API request, authenticated by its bot certificate ({@code via} {@link #CERTIFICATE}) or
 * by a console session made with it ({@link #CONSOLE}); {@code expires} is when that credential ends.
 */
public record Admin(AdminSpec spec, String instanceId, String joinToken, String via, Instant expires) {
    public static final String CERTIFICATE = "certificate";
    public static final String CONSOLE = "console";

    public String name() {
        return spec.name();
    }
}
