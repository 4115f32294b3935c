package dev.sigil.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import dev.sigil.contract.EventJson;
import dev.sigil.join.joinmethod.FakePlatform;

/**
 * One real Sigil (a Kafka broker process and the four service processes) shared by every end-to-end test class in
 * this JVM, started on first use and stopped when the test run ends.
 */
public final class SigilCluster implements ParameterResolver {
    static final String GITHUB_WEBHOOK_SECRET = "github-webhook-secret-for-tests";
    static final String GITLAB_WEBHOOK_SECRET = "gitlab-webhook-secret-for-tests";
    /** A loopback GitHub (OIDC keys) that repositories registered by webhook trust. */
    static final FakePlatform GITHUB = startGithub();
    /** A loopback AWS STS, the only endpoint on join-service's iam allow-list here. */
    static final AwsStsStandIn STS = startSts();

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Running.class, key -> Running.start(), Running.class).cluster;
    }

    private static AwsStsStandIn startSts() {
        try {
            return new AwsStsStandIn();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static FakePlatform startGithub() {
        try {
            return new FakePlatform();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The running cluster, closed by JUnit at the end of the run. */
    static final class Running implements ExtensionContext.Store.CloseableResource {
        final LocalCluster cluster;

        private Running(LocalCluster cluster) {
            this.cluster = cluster;
        }

        static Running start() {
            try {
                Path home = Files.createTempDirectory("sigil-e2e");
                // Every test request comes from 127.0.0.1: lift the per-client limit (RateLimitsTest covers it);
                // the per-bot limit stays as shipped.
                return new Running(new LocalCluster(LocalCluster.sourceRoot(), home, "e2e.sigil.test")
                        .withServiceEnv("SIGIL_RATE_LIMIT_CLIENT_PER_SECOND", "1000000")
                        .withServiceEnv("SIGIL_RATE_LIMIT_CLIENT_BURST", "1000000")
                        .withServiceEnv("SIGIL_WEBHOOKS_GITHUB_SECRET", GITHUB_WEBHOOK_SECRET)
                        .withServiceEnv("SIGIL_WEBHOOKS_GITLAB_SECRET", GITLAB_WEBHOOK_SECRET)
                        .withServiceEnv("SIGIL_JOIN_IAM_STS_ENDPOINTS", STS.url())
                        .withServiceEnv("SIGIL_WEBHOOKS_JOBS_DIR", home.resolve("jobs").toString())
                        // One machine, one output-writer with no node: it writes the job directories.
                        .withServiceEnv("SIGIL_WEBHOOKS_JOB_NODE", "central")
                        .withServiceEnv("SIGIL_WEBHOOKS_REGISTRATION_POLICY", EventJson.write(Map.of(
                                "github", Map.of("acme", Map.of("bot", "acme-ci", "roles", List.of("acme-access"),
                                        "logins", List.of("deploy"), "tokenConfig", Map.of("issuer", GITHUB.url(), "audience", "sigil-e2e"))),
                                "gitlab", Map.of("acme-group", Map.of("bot", "acme-gitlab", "roles", List.of("acme-access"))))))
                        .start());
            } catch (Exception e) {
                throw new IllegalStateException("could not start Sigil for the end-to-end tests: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            cluster.close();
        }
    }
}
