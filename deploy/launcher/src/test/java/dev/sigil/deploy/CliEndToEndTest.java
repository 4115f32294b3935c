package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.sigil.contract.AdminSpec;
import dev.sigil.contract.EventJson;

/**
 * The packaged admin CLI (cli/target/sigil, as `mvn package` leaves it) run as an operator runs it: its own process,
 * its own HOME, logged in as a ca-admin bootstrapped the way `./sigil admin bootstrap` does, talking to the shared
 * Sigil over mTLS. What `bots add` prints is run as printed and joins.
 */
@ExtendWith(SigilCluster.class)
class CliEndToEndTest {
    private static final Path CLI = LocalCluster.sourceRoot().resolve("cli/target/sigil");
    private static final Path AGENT = LocalCluster.sourceRoot().resolve("agent/target/sigil-agent");
    private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 6);
    private static final String ADMIN = "cli-admin-" + SUFFIX;
    private static final String ROLE = "cli-access-" + SUFFIX;

    @TempDir
    static Path home;
    @TempDir
    Path dir;

    private static String joinUrl;
    private static String caPin;

    /** What a finished CLI run said. */
    record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return EventJson.MAPPER.readTree(out);
        }

        Run succeeded() {
            assertThat(exit).as("exit code; stdout:\n" + out + "\nstderr:\n" + err).isZero();
            return this;
        }
    }

    @BeforeAll
    static void logIn(LocalCluster cluster) throws Exception {
        joinUrl = cluster.url(Service.JOIN).toString();
        caPin = cluster.caPin();
        AdminBootstrap.Bootstrapped admin = AdminBootstrap.bootstrap(cluster.kafkaClient(), ADMIN, AdminSpec.CA_ADMIN,
                Duration.ofMinutes(10));
        // The bootstrap's records are on their way to join-service; until they arrive the token is not known.
        Run[] login = new Run[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            login[0] = sigil("login", "--join-url", joinUrl, "--ca-pin", caPin, "--token", admin.token());
            return !login[0].err().contains("TOKEN_NOT_FOUND");
        });
        assertThat(login[0].succeeded().out()).contains("Logged in to " + joinUrl + " as bot " + ADMIN);
        sigil("roles", "add", ROLE, "--logins", "{{internal.logins}}").succeeded();
    }

    @Test
    void loginKeepsTheAdminIdentityPrivateAndJoinServiceKnowsItsAdmin() throws Exception {
        Path sigilDir = home.resolve(".sigil");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sigilDir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sigilDir.resolve("tlskey")))).isEqualTo("rw-------");
        assertThat(Files.readString(sigilDir.resolve("tlskey"))).startsWith("-----BEGIN PRIVATE KEY-----");
        JsonNode profile = EventJson.MAPPER.readTree(Files.readString(sigilDir.resolve("profile.json")));
        assertThat(profile.path("joinUrl").asText()).isEqualTo(joinUrl);
        assertThat(profile.path("caPins").get(0).asText()).isEqualTo(caPin);

        JsonNode status = sigil("status", "--format", "json").succeeded().json();
        assertThat(status.path("whoami").path("admin").asText()).isEqualTo(ADMIN);
        assertThat(status.path("whoami").path("roles").toString()).contains(AdminSpec.CA_ADMIN);
    }

    @Test
    void anIdentityPastHalfItsLifeIsRenewedBeforeTheCommandRuns() throws Exception {
        Path sigilDir = home.resolve(".sigil");
        ObjectNode profile = (ObjectNode) EventJson.MAPPER.readTree(Files.readString(sigilDir.resolve("profile.json")));
        long generation = profile.path("generation").asLong();
        String certificate = Files.readString(sigilDir.resolve("tlscert"));
        // As if the certificate had been issued long ago: its half-life is behind us.
        Instant validBefore = Instant.parse(profile.path("validBefore").asText());
        profile.put("validAfter", Instant.now().minus(Duration.between(Instant.now(), validBefore)).minusSeconds(60).toString());
        Files.writeString(sigilDir.resolve("profile.json"), EventJson.write(profile));

        JsonNode status = sigil("status", "--format", "json").succeeded().json();
        assertThat(status.path("identity").path("generation").asLong()).isEqualTo(generation + 1);
        assertThat(status.path("whoami").path("admin").asText()).isEqualTo(ADMIN);
        assertThat(Files.readString(sigilDir.resolve("tlscert"))).isNotEqualTo(certificate);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sigilDir.resolve("tlskey")))).isEqualTo("rw-------");
    }

    @Test
    void botsAddPrintsTheAgentCommandAndThatCommandJoins() throws Exception {
        String bot = "cli-bot-" + SUFFIX;
        Run added = sigil("bots", "add", bot, "--roles", ROLE, "--logins", "deploy").succeeded();
        String command = added.out().lines().filter(l -> l.startsWith("sigil-agent start")).findFirst().orElseThrow(
                () -> new AssertionError("no agent command in:\n" + added.out()));
        assertThat(command).contains("--join-url " + joinUrl, "--ca-pin " + caPin, "--join-method token", "--token ");

        // Run as printed, with the packaged agent and a destination of our own.
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.set(0, AGENT.toString());
        args.set(args.indexOf("./identity"), dir.resolve("identity").toString());
        Bots.Run joined = Bots.run(args.toArray(String[]::new));
        assertThat(joined.exitCode()).as(joined.output()).isZero();
        assertThat(Files.readString(dir.resolve("identity/key-cert.pub"))).startsWith("ssh-ed25519-cert-v01@openssh.com");

        Run instances = sigil("instances", "ls", "--bot", bot).succeeded();
        assertThat(instances.out().lines().skip(1).toList()).singleElement().asString().contains(bot).contains("token");
        JsonNode listed = sigil("instances", "ls", "--bot", bot, "--format", "json").succeeded().json();
        String instanceId = listed.path("items").get(0).path("instanceId").asText();
        Run shown = sigil("instances", "show", bot, instanceId).succeeded();
        assertThat(shown.out()).contains(instanceId).contains("join");
    }

    @Test
    void botsAreListedShownUpdatedAndRemovedWithTheirTokens() throws Exception {
        String bot = "cli-ls-" + SUFFIX;
        sigil("bots", "add", bot, "--roles", ROLE, "--logins", "deploy").succeeded();

        String row = sigil("bots", "ls").succeeded().out().lines().filter(l -> l.startsWith(bot + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("bots ls does not list " + bot));
        assertThat(row).contains(ROLE).contains("deploy");
        JsonNode json = sigil("bots", "ls", "--role", ROLE, "--format", "json").succeeded().json();
        assertThat(json.path("items").findValuesAsText("name")).contains(bot);

        sigil("bots", "update", bot, "--logins", "deploy,release", "--max-session-ttl", "2h").succeeded();
        JsonNode shown = sigil("bots", "show", bot, "--format", "json").succeeded().json();
        assertThat(shown.path("traits").path("logins").toString()).isEqualTo("[\"deploy\",\"release\"]");
        assertThat(shown.path("maxSessionTtl").asText()).isIn("PT2H", "2h");
        assertThat(sigil("bots", "show", bot).succeeded().out()).contains("release");

        Run removed = sigil("bots", "rm", bot).succeeded();
        assertThat(removed.out()).contains("Deleted bot " + bot).containsPattern("join tokens deleted: +[0-9a-f]{64}");
        Run gone = sigil("bots", "show", bot);
        assertThat(gone.exit()).isEqualTo(2);
        assertThat(gone.err()).contains("NOT_FOUND");
        assertThat(sigil("tokens", "ls", "--bot", bot, "--format", "json").succeeded().json().path("items")).isEmpty();
    }

    @Test
    void tokensAddTakesEachMethodsFlagsAndPrintsWhatToPaste() throws Exception {
        String bot = "cli-tok-" + SUFFIX;
        String name = "gh-" + SUFFIX;
        sigil("bots", "add", bot, "--roles", ROLE, "--no-token").succeeded();

        Run github = sigil("tokens", "add", "--bot", bot, "--join-method", "github", "--name", name, "--repository", "acme/app",
                "--ref", "refs/heads/main", "--ref-type", "branch", "--audience", "sigil-e2e", "--ttl", "24h").succeeded();
        assertThat(github.out()).contains("id-token: write", "uses: ", "integrations/github-action", "join-url: " + joinUrl,
                "token: " + name, "ca-pin: " + caPin, "audience: sigil-e2e");
        JsonNode token = sigil("tokens", "ls", "--bot", bot, "--format", "json").succeeded().json().path("items").get(0);
        assertThat(token.path("name").asText()).isEqualTo(name);
        assertThat(token.path("joinMethod").asText()).isEqualTo("github");
        assertThat(token.path("allow")).hasSize(1);
        assertThat(token.path("allow").get(0).path("repository").asText()).isEqualTo("acme/app");
        assertThat(token.path("allow").get(0).path("ref").asText()).isEqualTo("refs/heads/main");
        assertThat(token.path("allow").get(0).path("ref_type").asText()).isEqualTo("branch");
        assertThat(token.path("config").path("audience").asText()).isEqualTo("sigil-e2e");

        Run gitlab = sigil("tokens", "add", "--bot", bot, "--join-method", "gitlab", "--name", "gl-" + SUFFIX,
                "--project-path", "acme-group/app", "--audience", "sigil-e2e").succeeded();
        assertThat(gitlab.out()).contains("extends: .sigil-auth", "SIGIL_TOKEN: gl-" + SUFFIX, "SIGIL_AUDIENCE: sigil-e2e");

        Run secret = sigil("tokens", "add", "--bot", bot).succeeded();
        java.util.regex.Matcher printed = java.util.regex.Pattern.compile("--token ([0-9a-f]{64}) ").matcher(secret.out());
        assertThat(printed.find()).as(secret.out()).isTrue();
        Run table = sigil("tokens", "ls", "--bot", bot).succeeded();
        assertThat(table.out().lines().skip(1)).hasSize(3);
        assertThat(table.out()).contains(name).contains("acme/app").doesNotContain(printed.group(1));

        sigil("tokens", "rm", name).succeeded();
        assertThat(sigil("tokens", "ls", "--bot", bot).succeeded().out()).doesNotContain(name);

        // A flag of another method is the operator's mistake (exit 1), before anything is sent.
        Run wrongFlag = sigil("tokens", "add", "--bot", bot, "--join-method", "gitlab", "--name", "x-" + SUFFIX, "--repository", "acme/app");
        assertThat(wrongFlag.exit()).isEqualTo(1);
        assertThat(wrongFlag.err()).contains("--repository is for join method github, not gitlab");
    }

    @Test
    void aLockIsListedRefusesTheBotsJoinAndIsLifted() throws Exception {
        String bot = "cli-lock-" + SUFFIX;
        Run added = sigil("bots", "add", bot, "--roles", ROLE, "--logins", "deploy").succeeded();
        sigil("locks", "add", "--bot", bot, "--reason", "laptop stolen", "--ttl", "1h").succeeded();
        String row = sigil("locks", "ls", "--target", "bot:" + bot).succeeded().out().lines().skip(1).findFirst().orElseThrow();
        assertThat(row).contains("bot:" + bot).contains("laptop stolen");

        List<String> args = new ArrayList<>(List.of(added.out().lines().filter(l -> l.startsWith("sigil-agent start"))
                .findFirst().orElseThrow().split(" ")));
        args.set(0, AGENT.toString());
        args.set(args.indexOf("./identity"), dir.resolve("identity").toString());
        Bots.Run refused = Bots.run(args.toArray(String[]::new));
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.output()).contains("laptop stolen");

        sigil("locks", "rm", "bot:" + bot).succeeded();
        assertThat(sigil("locks", "ls", "--target", "bot:" + bot, "--format", "json").succeeded().json().path("items")).isEmpty();
    }

    @Test
    void caShowFleetAndTheAuditTrailAnswer() throws Exception {
        Run ca = sigil("ca", "show").succeeded();
        assertThat(ca.out()).contains("cluster:           e2e.sigil.test").contains("SSH user CA:       ssh-ed25519 ");
        assertThat(sigil("ca", "show", "--format", "json").succeeded().json().path("clusterName").asText()).isEqualTo("e2e.sigil.test");

        assertThat(sigil("fleet", "--format", "json").succeeded().json().path("items").isArray()).isTrue();

        // The roles add of logIn was an admin write, audited with this admin's name.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(sigil("audit", "tail", "--no-follow", "--format", "json").succeeded().out()).contains("\"admin\":\"" + ADMIN + "\""));
    }

    @Test
    void auditTailFollowsTheTrailAsJoinsHappen() throws Exception {
        String bot = "cli-audit-" + SUFFIX;
        Run added = sigil("bots", "add", bot, "--roles", ROLE, "--logins", "deploy").succeeded();
        ProcessBuilder builder = new ProcessBuilder(CLI.toString(), "audit", "tail", "--format", "json");
        builder.environment().put("HOME", home.toString());
        builder.environment().remove("XDG_CACHE_HOME");
        Process tail = builder.redirectErrorStream(true).start();
        StringBuffer followed = new StringBuffer();
        Thread reader = new Thread(() -> {
            try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(tail.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null;) {
                    followed.append(line).append('\n');
                }
            } catch (IOException e) {
                // the stream closes when the test stops the tail
            }
        });
        reader.start();
        try {
            // Following: the recent records (the bot's creation) arrive first, the join after it is live.
            await().atMost(Duration.ofSeconds(20)).until(() -> followed.toString().contains("\"admin\":\"" + ADMIN + "\""));
            assertThat(followed.toString().lines().filter(l -> l.contains("\"bot\":\"" + bot + "\"") && l.contains("\"event\":\"issued\"")))
                    .isEmpty();
            List<String> args = new ArrayList<>(List.of(added.out().lines().filter(l -> l.startsWith("sigil-agent start"))
                    .findFirst().orElseThrow().split(" ")));
            args.set(0, AGENT.toString());
            args.set(args.indexOf("./identity"), dir.resolve("identity").toString());
            assertThat(Bots.run(args.toArray(String[]::new)).exitCode()).isZero();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(followed.toString().lines()
                    .filter(l -> l.contains("\"bot\":\"" + bot + "\"") && l.contains("\"event\":\"issued\""))).hasSize(1));
            assertThat(tail.isAlive()).isTrue();
        } finally {
            tail.descendants().forEach(ProcessHandle::destroy);
            tail.destroy();
            tail.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRefusalPrintsItsCodeAndSentenceAndExitsTwo() throws Exception {
        Run refused = sigil("bots", "add", "Not A Name", "--roles", ROLE, "--no-token");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).startsWith("sigil: refused: MALFORMED_REQUEST: ");
        assertThat(refused.out()).isEmpty();
    }

    @Test
    void consolePrintsAOneTimeLinkIntoTheConsole() throws Exception {
        Run console = sigil("console").succeeded();
        assertThat(console.out()).contains(joinUrl.replaceAll("/$", "") + "/console");
    }

    /** Runs the packaged CLI with HOME in the test's directory, so ~/.sigil is the test's. */
    static Run sigil(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CLI.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("HOME", home.toString());
        builder.environment().remove("XDG_CACHE_HOME");
        Process process = builder.start();
        process.getOutputStream().close();
        var err = new java.util.concurrent.CompletableFuture<String>();
        new Thread(() -> {
            try {
                err.complete(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                err.completeExceptionally(e);
            }
        }).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return new Run(process.exitValue(), out, err.join());
    }
}
