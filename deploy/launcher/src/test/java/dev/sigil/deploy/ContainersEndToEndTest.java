package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * All of Sigil as containers of the images deploy/containers/build makes from this build, with podman: the Kafka
 * broker (mutual TLS and ACLs, as always) and the four services, then the agent image joining with a one-time token
 * and writing its identity to a mounted directory. Runs first, before the shared Sigil of the other end-to-end tests
 * starts, so that the two are not up at once.
 */
@Order(1)
class ContainersEndToEndTest {
    private static final List<String> SIGIL_IMAGES = List.of("kafka-broker", "issuer-service", "join-service", "renewal-service", "output-writer");

    @TempDir
    Path dir;

    @Test
    void anAgentContainerJoinsSigilRunningAsContainersBrokerIncluded() throws Exception {
        Optional<String> unavailable = Containers.unavailable();
        assumeTrue(unavailable.isEmpty(), () -> "ContainersEndToEndTest skipped: " + unavailable.get());
        Containers containers = new Containers(LocalCluster.sourceRoot(), System.getProperty("sigil.version"));
        Path home = Files.createDirectory(dir.resolve("home"));

        Instant started = Instant.now();
        containers.build(dir.resolve("build.log"));
        Instant built = Instant.now();
        LocalCluster cluster = new LocalCluster(LocalCluster.sourceRoot(), home, "containers.sigil.test").withContainers(containers);
        try {
            cluster.start();
            Instant up = Instant.now();
            for (String image : SIGIL_IMAGES) {
                String container = containers.container(image);
                assertThat(podman(containers, "inspect", "--format", "{{.ImageName}} {{.State.Running}} {{.Config.User}}", container))
                        .as(container).isEqualTo(containers.image(image) + " true 10001:10001\n");
            }

            String bot = Bots.newBot(cluster, List.of("deploy"));
            String token = Bots.admin(cluster).createToken(bot, "10m");
            Path out = Files.createDirectory(dir.resolve("out"));
            Path identity = out.resolve("identity");
            Process agent = containers.run("agent", "agent", Map.of(out, false),
                            Map.of("SIGIL_JOIN_URL", cluster.url(Service.JOIN).toString(), "SIGIL_CA_PINS", cluster.caPin(), "SIGIL_TOKEN", token),
                            List.of("start", "--oneshot", "--destination", identity.toString(), "--credential-ttl", "30m"))
                    .redirectErrorStream(true).start();
            String said = new String(agent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
            Instant joined = Instant.now();

            assertThat(agent.exitValue()).as(said).isZero();
            assertThat(Bots.run("ssh-keygen", "-L", "-f", identity.resolve("key-cert.pub").toString()).output())
                    .contains("user certificate").contains("Key ID: \"bot-" + bot + "/").containsPattern("Principals: \\n\\s+deploy\\n");
            assertThat(Bots.run("openssl", "verify", "-purpose", "sslclient", "-CAfile", identity.resolve("tls-ca.crt").toString(),
                    identity.resolve("tlscert").toString()).output()).endsWith(": OK\n");
            assertThat(Bots.run("openssl", "x509", "-noout", "-subject", "-in", identity.resolve("tlscert").toString()).output())
                    .contains("CN = bot-" + bot);
            // Written by the image's own user, not root, with the key private to it.
            assertThat(Files.getAttribute(identity.resolve("key"), "unix:uid")).isEqualTo(Containers.USER);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(identity.resolve("key")))).isEqualTo("rw-------");

            System.out.printf("ContainersEndToEndTest: images built in %d s, Sigil up as containers in %d s, agent container joined in %d ms%n",
                    Duration.between(started, built).toSeconds(), Duration.between(built, up).toSeconds(),
                    Duration.between(up, joined).toMillis());
        } finally {
            containers.removeAll(); // at once: an orderly stop of each would take longer than the rest of the test
            cluster.close();
        }
    }

    private static String podman(Containers containers, String... args) throws Exception {
        Process p = containers.processBuilder(containers.podman(args)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return output;
    }
}
