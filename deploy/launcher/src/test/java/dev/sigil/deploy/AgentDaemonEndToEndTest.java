package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.RenewalRequest;
import dev.sigil.contract.Topics;
import dev.sigil.join.joinmethod.FakePlatform;

/**
 * The agent as a daemon on a self-hosted runner: it renews on its interval, when renewal-service says it is due,
 * and on SIGUSR1; after an outage that let its identity expire, a delegated bot joins again by itself and a
 * token bot stops and says what the operator must do. An outage is a stopped agent (SIGSTOP) resumed after expiry.
 */
@ExtendWith(SigilCluster.class)
class AgentDaemonEndToEndTest {
    @TempDir
    Path dir;
    private final List<Process> agents = new ArrayList<>();

    @AfterEach
    void stopAgents() {
        agents.forEach(Process::destroyForcibly);
    }

    @Test
    void renewsOnSigusr1AndWhenRenewalServiceSaysItIsDue(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        Path storage = dir.resolve("storage");
        Path log = dir.resolve("agent.log");
        Process agent = daemon(cluster, log, bot, "--storage", storage.toString(), "--renewal-interval", "1h",
                "--kafka-bootstrap", cluster.bootstrapServers(), "--kafka-identity", cluster.nodeWriterIdentity("agent-node").toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log).contains("generation 1"));

        new ProcessBuilder("kill", "-USR1", String.valueOf(agent.pid())).start().waitFor();
        await().atMost(Duration.ofSeconds(15)).until(() -> Files.readString(log).contains("SIGUSR1: wrote the identity"));
        assertThat(Files.readString(log)).contains("generation 2");

        publishRenewalRequest(cluster, bot);
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(log).contains("renewal due: wrote the identity"));
        assertThat(Files.readString(log)).contains("generation 3");
        assertThat(agent.isAlive()).isTrue();
    }

    @Test
    void renewsOnItsIntervalWithTheSameInstance(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        Path log = dir.resolve("agent.log");
        daemon(cluster, log, bot, "--storage", dir.resolve("storage").toString(), "--renewal-interval", "2s");

        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log).contains("generation 3"));
        assertThat(Files.readString(log)).contains("renewal interval: wrote the identity");
    }

    @Test
    void aTokenBotWhoseIdentityExpiredDuringAnOutageSaysWhatTheOperatorMustDo(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        Path log = dir.resolve("agent.log");
        Process agent = daemon(cluster, log, bot, "--storage", dir.resolve("storage").toString(), "--credential-ttl", "3s");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log).contains("generation 1"));

        outage(agent, log, Duration.ofSeconds(3), () -> { });

        await().atMost(Duration.ofSeconds(30)).until(() -> !agent.isAlive());
        assertThat(agent.exitValue()).isEqualTo(2);
        assertThat(Files.readString(log)).contains("identity expired at").contains("create a new join token for the bot");
    }

    @Test
    void aDelegatedBotJoinsAgainByItselfAfterAnOutage(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String tokenName = "gh-daemon-" + UUID.randomUUID().toString().substring(0, 8);
        FakePlatform github = SigilCluster.GITHUB;
        Bots.post(cluster, "/v1/admin/tokens", EventJson.write(Map.of("name", tokenName, "bot", bot, "joinMethod", "github",
                "allow", List.of(Map.of("repository", "acme/app")), "config", Map.of("issuer", github.url(), "audience", "sigil-e2e"))),
                null);
        Path idToken = dir.resolve("id-token");
        Files.writeString(idToken, github.sign(FakePlatform.claims(github.url(), "sigil-e2e", Map.of("repository", "acme/app")).build()));
        Path log = dir.resolve("agent.log");
        Process agent = cluster.startAgent(log, "start", "--join-url", cluster.url(Service.JOIN).toString(), "--ca-pin", cluster.caPin(),
                "--join-method", "github", "--token", tokenName, "--id-token-file", idToken.toString(), "--storage",
                dir.resolve("storage").toString(), "--credential-ttl", "3s", "--renewal-interval", "1h");
        agents.add(agent);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log).contains("generation 1"));
        long writtenBefore = Files.readString(log).lines().filter(l -> l.contains("wrote the identity")).count();

        // Only while the agent is down does the platform hand the job a fresh token (as the kubelet rotates a
        // projected token), so what the agent writes after the outage it got by joining again with that token.
        Instant expiry = outage(agent, log, Duration.ofSeconds(3), () -> Files.writeString(idToken,
                github.sign(FakePlatform.claims(github.url(), "sigil-e2e", Map.of("repository", "acme/app")).build())));

        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log).lines()
                .filter(l -> l.contains("wrote the identity")).count() > writtenBefore);
        assertThat(agent.isAlive()).isTrue();
        assertThat(validUntil(Files.readString(log))).isAfter(expiry);
    }

    private Process daemon(LocalCluster cluster, Path log, String bot, String... extra) throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("token"), Bots.admin(cluster).createToken(bot, "10m"));
        List<String> args = new ArrayList<>(List.of("start", "--join-url", cluster.url(Service.JOIN).toString(), "--ca-pin",
                cluster.caPin(), "--token-file", tokenFile.toString()));
        args.addAll(List.of(extra));
        Process agent = cluster.startAgent(log, args.toArray(String[]::new));
        agents.add(agent);
        return agent;
    }

    /**
     * Stops the agent (SIGSTOP) until its identity has expired, then lets it go on (SIGCONT); returns the expiry. The
     * wait adds a lifetime, so even a renewal in flight when the agent stopped has expired too.
     */
    private static Instant outage(Process agent, Path log, Duration ttl, ThrowingRunnable meanwhile) throws Exception {
        new ProcessBuilder("kill", "-STOP", String.valueOf(agent.pid())).start().waitFor();
        meanwhile.run();
        Instant expiry = validUntil(Files.readString(log)).plus(ttl).plusSeconds(1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> Instant.now().isAfter(expiry));
        new ProcessBuilder("kill", "-CONT", String.valueOf(agent.pid())).start().waitFor();
        return expiry;
    }

    /** The latest "valid until" the agent printed. */
    private static Instant validUntil(String log) {
        String last = log.substring(log.lastIndexOf("valid until ") + "valid until ".length());
        return Instant.parse(last.substring(0, last.indexOf(')')));
    }

    private static void publishRenewalRequest(LocalCluster cluster, String bot) throws Exception {
        var props = new java.util.Properties();
        props.putAll(cluster.kafkaClient());
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(props,
                new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.StringSerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.RENEWAL_REQUESTS, bot,
                    EventJson.write(new RenewalRequest(UUID.randomUUID().toString(), null, bot, null, Duration.ZERO)))).get();
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
