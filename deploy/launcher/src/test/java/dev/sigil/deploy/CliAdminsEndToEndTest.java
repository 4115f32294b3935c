package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.AdminSpec;
import dev.sigil.contract.EventJson;

/**
 * The packaged CLI's ca-admin commands (admins, leaf-clusters, roles update), each run as its own process as an
 * operator runs it, their effect read back through the admin API as the launcher's admin. A second HOME is the new
 * admin's: it logs in with the line `admins add` printed.
 */
@ExtendWith(SigilCluster.class)
class CliAdminsEndToEndTest {
    private static final Path CLI = LocalCluster.sourceRoot().resolve("cli/target/sigil");
    private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 6);
    private static final String CA_ADMIN = "cli-ca-" + SUFFIX;

    @TempDir
    static Path caHome;
    @TempDir
    Path newHome;

    private static AdminClient api;

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
        api = new AdminClient(cluster);
        AdminBootstrap.Bootstrapped admin = AdminBootstrap.bootstrap(cluster.kafkaClient(), CA_ADMIN, AdminSpec.CA_ADMIN,
                Duration.ofMinutes(10));
        logInWith(caHome, List.of("login", "--join-url", cluster.url(Service.JOIN).toString(), "--ca-pin", cluster.caPin(),
                "--token", admin.token()));
    }

    @Test
    void adminsAddPrintsTheLoginLineThatMakesTheNewAdminWithItsRoleAndABotAdminCannotAddAdmins() throws Exception {
        String name = "cli-bot-admin-" + SUFFIX;
        Run added = sigil(caHome, "admins", "add", name, "--role", AdminSpec.BOT_ADMIN).succeeded();
        String login = added.out().lines().filter(l -> l.startsWith("sigil login ")).findFirst()
                .orElseThrow(() -> new AssertionError("no login line in:\n" + added.out()));

        String row = sigil(caHome, "admins", "ls").succeeded().out().lines().filter(l -> l.startsWith(name + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("admins ls does not list " + name));
        assertThat(row).contains(AdminSpec.BOT_ADMIN);
        assertThat(api.get("/v1/admin/admins/" + name).path("roles").toString()).isEqualTo("[\"bot-admin\"]");

        // The secret is printed on a line of its own, never on the command line (shell history, /proc).
        List<String> lines = added.out().lines().toList();
        int tokenAt = lines.indexOf(lines.stream().filter(l -> l.startsWith("Their one-time join token")).findFirst()
                .orElseThrow(() -> new AssertionError("no token line in:\n" + added.out())));
        String secret = lines.subList(tokenAt + 1, lines.size()).stream().map(String::strip).filter(l -> !l.isEmpty())
                .findFirst().orElseThrow();
        assertThat(login).doesNotContain(secret).doesNotContain("--token ").contains("--token-file sigil-login-token");

        // The printed line, run as printed in the new admin's own HOME, with the token saved in the file it names.
        Path tokenFile = newHome.resolve("sigil-login-token");
        java.nio.file.Files.writeString(tokenFile, secret + "\n");
        logInWith(newHome, List.of(login.substring("sigil ".length()).replace("sigil-login-token", tokenFile.toString()).split(" ")));
        JsonNode whoami = sigil(newHome, "status", "--format", "json").succeeded().json().path("whoami");
        assertThat(whoami.path("admin").asText()).isEqualTo(name);
        assertThat(whoami.path("roles").toString()).isEqualTo("[\"bot-admin\"]");

        // A bot-admin may not make admins (no escalation), and nothing is written.
        String escalated = "cli-escalated-" + SUFFIX;
        Run refused = sigil(newHome, "admins", "add", escalated, "--role", AdminSpec.CA_ADMIN);
        assertThat(refused.exit()).as(refused.err()).isEqualTo(2);
        assertThat(refused.err()).startsWith("sigil: refused: ADMIN_ROLE_MISSING: ");
        assertThat(status("/v1/admin/admins/" + escalated)).isEqualTo(404);
        assertThat(status("/v1/admin/bots/" + escalated)).isEqualTo(404);

        assertThat(sigil(caHome, "admins", "rm", name).succeeded().out()).contains("Removed admin " + name);
        assertThat(status("/v1/admin/admins/" + name)).isEqualTo(404);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Run removed = sigil(newHome, "status");
            assertThat(removed.exit()).isEqualTo(2);
            assertThat(removed.err()).contains("ADMIN_ROLE_MISSING");
        });
    }

    @Test
    void leafClustersAreAddedListedShownAndRemoved() throws Exception {
        String leaf = "cli-leaf-" + SUFFIX;
        String hostCa = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPLUr1VtDkMmAzGWexEdKRdoUUtQ2QH8Z5ObSDlr3nAq leaf-host-ca";
        sigil(caHome, "leaf-clusters", "add", leaf, "--host-ca", hostCa).succeeded();
        assertThat(api.get("/v1/admin/leaf-clusters/" + leaf).path("hostCa").asText()).isEqualTo(hostCa);
        assertThat(sigil(caHome, "leaf-clusters", "ls").succeeded().out().lines().filter(l -> l.startsWith(leaf + " ")))
                .singleElement().asString().contains("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPLUr1");
        assertThat(sigil(caHome, "leaf-clusters", "show", leaf, "--format", "json").succeeded().json().path("hostCa").asText())
                .isEqualTo(hostCa);

        sigil(caHome, "leaf-clusters", "rm", leaf).succeeded();
        assertThat(status("/v1/admin/leaf-clusters/" + leaf)).isEqualTo(404);
        Run gone = sigil(caHome, "leaf-clusters", "show", leaf);
        assertThat(gone.exit()).isEqualTo(2);
        assertThat(gone.err()).startsWith("sigil: refused: NOT_FOUND: ");
    }

    @Test
    void rolesUpdateReplacesOnlyTheFieldsItNames() throws Exception {
        String role = "cli-upd-" + SUFFIX;
        sigil(caHome, "roles", "add", role, "--logins", "deploy", "--apps", "grafana").succeeded();
        String etag = api.http().send(api.request("/v1/admin/roles/" + role).GET().build(), HttpResponse.BodyHandlers.ofString())
                .headers().firstValue("ETag").orElseThrow();

        Run updated = sigil(caHome, "roles", "update", role, "--logins", "deploy,release", "--max-session-ttl", "2h").succeeded();
        assertThat(updated.out()).contains("Role " + role + " updated.");
        HttpResponse<String> read = api.http().send(api.request("/v1/admin/roles/" + role).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode written = EventJson.MAPPER.readTree(read.body());
        assertThat(written.path("logins").toString()).isEqualTo("[\"deploy\",\"release\"]");
        assertThat(written.path("apps").toString()).isEqualTo("[\"grafana\"]");
        assertThat(written.path("maxSessionTtl").asText()).isIn("PT2H", "2h");
        assertThat(read.headers().firstValue("ETag").orElseThrow()).isNotEqualTo(etag);
    }

    private static int status(String path) throws IOException, InterruptedException {
        return api.http().send(api.request(path).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Logs in; the token's records may still be on their way to join-service, which until then does not know it. */
    private static void logInWith(Path home, List<String> args) {
        Run[] login = new Run[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            login[0] = sigil(home, args.toArray(String[]::new));
            return !login[0].err().contains("TOKEN_NOT_FOUND");
        });
        assertThat(login[0].succeeded().out()).contains("Logged in to ");
    }

    /** Runs the packaged CLI with HOME set, so ~/.sigil is that admin's. */
    static Run sigil(Path home, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CLI.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("HOME", home.toString());
        builder.environment().remove("XDG_CACHE_HOME");
        Process process = builder.start();
        process.getOutputStream().close();
        CompletableFuture<String> err = new CompletableFuture<>();
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
