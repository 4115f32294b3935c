package dev.sigil.contract;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A bot: the roles it may impersonate, its traits and the longest session it may get. Kept on {@code sigil.bots}. */
public record BotSpec(String name, List<String> roles, Map<String, List<String>> traits, Duration maxSessionTtl) {
    public static final Duration DEFAULT_MAX_SESSION_TTL = Duration.ofHours(12);
    public static final Duration LIMIT_MAX_SESSION_TTL = Duration.ofDays(7);

    public BotSpec {
        roles = roles == null ? List.of() : List.copyOf(roles);
        traits = traits == null ? Map.of() : Map.copyOf(traits);
        maxSessionTtl = maxSessionTtl == null ? DEFAULT_MAX_SESSION_TTL : maxSessionTtl;
    }

    public List<String> trait(String name) {
        return traits.getOrDefault(name, List.of());
    }
}
