package dev.sigil.issuer.issue;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The issuer is ready only when its streams run: after a restart it first reads every desired-state topic into its
 * global stores, and until then it answers nobody. Quarkus's own checks call it ready once the topics exist, so a
 * rolling restart (or the local launcher) would move on while joins still time out.
 */
@Readiness
@ApplicationScoped
public class StreamsReadiness implements HealthCheck {
    @Inject
    KafkaStreams streams;

    @Override
    public HealthCheckResponse call() {
        KafkaStreams.State state = streams.state();
        return HealthCheckResponse.named("issuer streams running").status(state == KafkaStreams.State.RUNNING)
                .withData("state", state.name()).build();
    }
}
