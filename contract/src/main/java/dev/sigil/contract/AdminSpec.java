package dev.sigil.contract;

import java.util.List;

/**
 * An admin, as kept on {@code sigil.admins} keyed by name: a bot allowed to use join-service's admin API, and the
 * admin roles it holds. The admin authenticates with that bot's certificate (mutual TLS) or a console session made
 * with it. Each role includes the ones before it: {@link #CA_ADMIN} includes {@link #BOT_ADMIN}, which includes
 * {@link #READ_ONLY}.
 */
public record AdminSpec(String name, List<String> roles) {
    /** Reads everything (GET). */
    public static final String READ_ONLY = "read-only";
    /** Also writes bots, join tokens, locks, deliveries and bot instances. */
    public static final String BOT_ADMIN = "bot-admin";
    /** Also writes roles, leaf clusters, the CA rotation and admins; alone may change an admin's bot or its tokens. */
    public static final String CA_ADMIN = "ca-admin";
    /** The admin roles, weakest first. */
    public static final List<String> ROLES = List.of(READ_ONLY, BOT_ADMIN, CA_ADMIN);

    public AdminSpec {
        roles = roles == null ? List.of() : List.copyOf(roles);
    }

    /** Whether the admin holds {@code role}, itself or through a stronger role that includes it. */
    public boolean has(String role) {
        int needed = ROLES.indexOf(role);
        return needed >= 0 && roles.stream().anyMatch(r -> ROLES.indexOf(r) >= needed);
    }
}
