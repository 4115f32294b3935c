package dev.sigil.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real Sigil (a Kafka broker process and the four service processes) shared by every end-to-end test class in
 * this JVM, started on first use and stopped when the test run ends.
 */
public final class SigilCluster implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Running.class, key -> Running.start(), Running.class).cluster;
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
                        .withServiceEnv("SIGIL_RATE_LIMIT_CLIENT_BURST", "1000000").start());
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
