package dev.sigil.contract;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A join token as kept on {@code sigil.join-tokens}: which bot joins with it, by which join method, until when.
 * For method {@code token} the name is the SHA-256 of the secret the bot presents, so reading the topic never
 * yields a usable token. Delegated methods (OIDC, cloud) have an admin-chosen name, the allow rules a platform
 * token must match (any rule, all of its fields) and method settings such as an audience or an issuer host.
 */
public record JoinTokenSpec(String name, String bot, String joinMethod, Instant expires,
        List<Map<String, String>> allow, Map<String, String> config) {

    public JoinTokenSpec {
        allow = allow == null ? List.of() : allow.stream().map(Map::copyOf).toList();
        config = config == null ? Map.of() : Map.copyOf(config);
    }

    public boolean expiredAt(Instant now) {
        return expires != null && !now.isBefore(expires);
    }

    public String config(String key, String fallback) {
        return config.getOrDefault(key, fallback);
    }
}
