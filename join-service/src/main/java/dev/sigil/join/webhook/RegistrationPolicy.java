package dev.sigil.join.webhook;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.type.TypeReference;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.Names;

/**
 * Which bot the repositories or projects of an organisation or group join as, and with which roles: a new repository
 * in {@code acme} gets a join token for exactly that repository, for acme's bot.
 */
@Singleton
public class RegistrationPolicy {
    /** One organisation's or group's registration: its bot, the roles and logins of that bot, join-token settings. */
    public record Registration(String bot, List<String> roles, List<String> logins, Map<String, String> tokenConfig) {
        public Registration {
            roles = roles == null ? List.of() : roles;
            logins = logins == null ? List.of() : logins;
            tokenConfig = tokenConfig == null ? Map.of() : tokenConfig;
        }
    }

    private final Map<String, Map<String, Registration>> byPlatform;

    public RegistrationPolicy(@ConfigProperty(name = "sigil.webhooks.registration-policy") Optional<String> json) {
        this.byPlatform = json.filter(j -> !j.isBlank()).map(RegistrationPolicy::parse).orElse(Map.of());
        byPlatform.forEach((platform, registrations) -> registrations.forEach((organisation, registration) -> {
            String at = "sigil.webhooks.registration-policy " + platform + "." + organisation;
            // The bot, roles and logins end up in desired state and certificates: one grammar, as for an admin.
            Names.RESOURCE.problem(organisation)
                    .or(() -> registration == null ? Optional.of("a registration needs a bot") : Optional.empty())
                    .or(() -> Names.RESOURCE.problem(registration.bot()))
                    .or(() -> Names.RESOURCE.firstProblem(registration.roles()))
                    .or(() -> Names.LOGIN.firstProblem(registration.logins()))
                    .ifPresent(problem -> {
                        throw new IllegalStateException(at + ": " + problem);
                    });
        }));
    }

    private static Map<String, Map<String, Registration>> parse(String json) {
        try {
            return EventJson.MAPPER.readValue(json, new TypeReference<Map<String, Map<String, Registration>>>() {
            });
        } catch (Exception e) {
            throw new IllegalStateException("sigil.webhooks.registration-policy is not valid JSON of the documented shape: " + e.getMessage());
        }
    }

    public Optional<Registration> find(String platform, String organisation) {
        return Optional.ofNullable(byPlatform.getOrDefault(platform, Map.of()).get(organisation));
    }
}
