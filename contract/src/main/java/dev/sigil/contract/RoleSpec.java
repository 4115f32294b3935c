package dev.sigil.contract;

import java.time.Duration;
import java.util.List;

/**
 * A role a bot may impersonate, as kept on {@code sigil.roles}. Logins may be templates such as
 * {@code {{internal.logins}}}, expanded from the bot's traits at issuance.
 */
public record RoleSpec(String name, List<String> logins, Duration maxSessionTtl) {
    public RoleSpec {
        logins = logins == null ? List.of() : List.copyOf(logins);
    }
}
