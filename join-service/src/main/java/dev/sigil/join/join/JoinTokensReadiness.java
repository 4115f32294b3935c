package dev.sigil.join.join;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** join-service is ready once it knows every join token that existed when it started. */
@Readiness
@ApplicationScoped
public class JoinTokensReadiness implements HealthCheck {
    @Inject
    JoinTokenView tokens;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("join-tokens-loaded").status(tokens.caughtUp()).build();
    }
}
