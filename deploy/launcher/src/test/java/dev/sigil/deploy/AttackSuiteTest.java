package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.TopicReader;

/**
 * The attack suite against the shared Sigil, run after the other tests: requests that must be refused are tried
 * and counted, and after a run with agents, deliveries and outputs of every kind, no private key material is on any topic or in any log. Prints
 * how many were tried, refused as expected, and got through (which must be none).
 */
@ExtendWith(SigilCluster.class)
@Order(Integer.MAX_VALUE) // last, so its sweep reads what every other test put on the shared Sigil
class AttackSuiteTest {
    /** What private keys look like in Sigil's formats: PEM headers, OpenSSH's key blob, Ed25519 PKCS#8 in base64. */
    private static final Pattern KEY_MATERIAL = Pattern.compile(
            "PRIVATE KEY|b3BlbnNzaC1rZXktdjE|MC4CAQAwBQYDK2Vw|MFECAQEwBQYDK2Vw|LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t"
                    + "|LS0tLS1CRUdJTiBPUEVOU1NIIFBSSVZBVEUgS0VZLS0tLS0");

    @TempDir
    Path dir;

    private int tried;
    private int refused;
    private final List<String> gotThrough = new ArrayList<>();

    @Test
    void everyAttackIsRefusedAndNoPrivateKeyIsOnKafkaOrInALog(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        // Activity that handles private keys, so the final sweep has something to find if anything leaks.
        assertThat(Bots.agentJoin(cluster, dir.resolve("agent"), bot).exitCode()).isZero();
        Bots.admin(cluster).createDelivery(bot + "-sweep", bot, "identity", dir.resolve("delivered").toString(), "1h");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("delivered/key")));

        adminApiNeedsTheRightToken(cluster);
        webhooksNeedAValidSignature(cluster);
        destinationsCannotEscape(cluster, bot);
        botsGetOnlyTheirRoles(cluster, bot);
        lockedBotsAreRefusedWithinASecond(cluster);

        int scanned = sweepTopicsAndLogs(cluster);
        System.out.printf("attack suite: %d attacks tried, %d refused as expected, %d got through%s; %,d records and "
                + "log lines swept for key material%n", tried, refused, gotThrough.size(), gotThrough.isEmpty() ? "" : " " + gotThrough, scanned);
        assertThat(gotThrough).isEmpty();
        assertThat(refused).isEqualTo(tried);
    }

    private void adminApiNeedsTheRightToken(LocalCluster cluster) throws Exception {
        for (String path : List.of("/v1/admin/roles", "/v1/admin/bots", "/v1/admin/tokens", "/v1/admin/locks",
                "/v1/admin/deliveries", "/v1/admin/ca/rotation", "/v1/admin/leaf-clusters")) {
            // No admin certificate, with or without a bearer token (the admin API takes none).
            for (String bearer : new String[] { null, "wrong-" + UUID.randomUUID() }) {
                expect("POST " + path + " with " + (bearer == null ? "no certificate" : "a bearer token and no certificate"),
                        Bots.postAnonymously(cluster, path, "{\"name\":\"evil\",\"bot\":\"evil\"}", bearer).status(), 401);
            }
        }
        for (String path : List.of("/v1/admin/ca", "/v1/admin/bot-instances")) {
            var response = cluster.anonymousHttpClient().send(HttpRequest.newBuilder(cluster.url(Service.JOIN).resolve(path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            expect("GET " + path + " with no token", response.statusCode(), 401);
        }
    }

    private void webhooksNeedAValidSignature(LocalCluster cluster) throws Exception {
        String body = EventJson.write(Map.of("action", "created", "repository", Map.of("full_name", "acme/evil", "owner",
                Map.of("login", "acme"))));
        expect("github webhook signed with another secret", WebhookEndToEndTest.post(cluster, "/v1/webhooks/github", body,
                Map.of("X-GitHub-Event", "repository", "X-GitHub-Delivery", UUID.randomUUID().toString(), "X-Hub-Signature-256",
                        "sha256=" + WebhookEndToEndTest.hmac("not-the-secret", body))).status(), 401);
        expect("github webhook unsigned", WebhookEndToEndTest.post(cluster, "/v1/webhooks/github", body,
                Map.of("X-GitHub-Event", "repository", "X-GitHub-Delivery", UUID.randomUUID().toString())).status(), 401);
        expect("gitlab webhook with a wrong token", WebhookEndToEndTest.post(cluster, "/v1/webhooks/gitlab",
                EventJson.write(Map.of("event_name", "project_create", "path_with_namespace", "acme-group/evil")),
                Map.of("X-Gitlab-Token", "wrong", "X-Gitlab-Event-UUID", UUID.randomUUID().toString())).status(), 401);
    }

    private void destinationsCannotEscape(LocalCluster cluster, String bot) throws Exception {
        for (String path : List.of("/tmp/../etc/sigil", dir + "/../../etc", "relative/path")) {
            expect("delivery to " + path, Bots.post(cluster, "/v1/admin/deliveries", EventJson.write(Map.of("id", "evil",
                    "bot", bot, "output", Map.of("kind", "identity"), "destination", Map.of("type", "directory", "path", path))),
                    null).status(), 400);
        }
        // A symlink planted where a delivery's key goes: output-writer refuses to write through it.
        Path out = Files.createDirectory(dir.resolve("planted"));
        Path target = Files.writeString(dir.resolve("attacker-reads-this"), "");
        Files.createSymbolicLink(out.resolve("key"), target);
        String id = bot + "-planted";
        Bots.admin(cluster).createDelivery(id, bot, "identity", out.toString(), "1h");
        String view = await().atMost(Duration.ofSeconds(20)).until(() -> cluster.httpClient().send(HttpRequest.newBuilder(
                cluster.url(Service.OUTPUT_WRITER).resolve("/v1/deliveries")).build(), HttpResponse.BodyHandlers.ofString()).body(),
                v -> v.contains("symbolic link"));
        tried++;
        if (Files.readString(target).isEmpty() && view.contains("symbolic link")) {
            refused++;
        } else {
            gotThrough.add("a key was written through a planted symlink");
        }
        Bots.admin(cluster).delete("/v1/admin/deliveries/" + id);
    }

    private void botsGetOnlyTheirRoles(LocalCluster cluster, String bot) throws Exception {
        Bots.admin(cluster).createRole("admin-" + bot, List.of("root"));
        Bots.Answer answer = Bots.post(cluster, "/v1/join", EventJson.write(Map.of("token", Bots.admin(cluster).createToken(bot, "10m"),
                "publicKey", Bots.newPublicKey(), "outputs", List.of(Map.of("name", "x", "kind", "identity", "roles",
                        List.of("admin-" + bot), "publicKey", Bots.newPublicKey())))), null);
        expectCode("a bot asking for a role it may not impersonate", answer, "ROLE_NOT_ALLOWED");
    }

    private void lockedBotsAreRefusedWithinASecond(LocalCluster cluster) throws Exception {
        String locked = Bots.newBot(cluster, List.of("deploy"));
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            tokens.add(Bots.admin(cluster).createToken(locked, "10m"));
        }
        Bots.admin(cluster).post("/v1/admin/locks", Map.of("target", "bot:" + locked, "reason", "attack suite"));
        Bots.Answer answer = await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
                .until(() -> Bots.join(cluster, tokens.remove(0), Bots.newPublicKey()), a -> a.status() == 403);
        expectCode("a locked bot joining", answer, "LOCKED");
    }

    /** Reads every Sigil topic from the beginning and every service log; returns how many records and lines it read. */
    private int sweepTopicsAndLogs(LocalCluster cluster) throws Exception {
        List<String> topics;
        try (Admin admin = Admin.create(cluster.kafkaClient())) {
            topics = admin.listTopics().names().get().stream().filter(t -> t.startsWith("sigil")).toList();
        }
        assertThat(topics).hasSizeGreaterThan(30); // contract topics, changelogs and dead letters
        int[] records = { 0 };
        // Read as the log lies on disk (aborted transactions too), as anyone who may read the topic could.
        TopicReader.readAll(cluster.kafkaClient(), topics, false, Duration.ofMinutes(2), record -> {
            records[0]++;
            if (record.value() != null && KEY_MATERIAL.matcher(record.value()).find()) {
                gotThrough.add("key material on " + record.topic() + " at offset " + record.offset());
            }
        });
        int scanned = records[0];
        try (var logs = Files.list(cluster.home().resolve("logs"))) {
            for (Path log : logs.toList()) {
                for (String line : Files.readAllLines(log)) {
                    scanned++;
                    if (KEY_MATERIAL.matcher(line).find()) {
                        gotThrough.add("key material in " + log.getFileName() + ": " + line.substring(0, Math.min(80, line.length())));
                    }
                }
            }
        }
        return scanned;
    }

    private void expectCode(String attack, Bots.Answer answer, String code) {
        tried++;
        if (answer.status() / 100 == 4 && code.equals(answer.code())) {
            refused++;
        } else {
            gotThrough.add(attack + " answered " + answer.status() + " " + answer.body());
        }
    }

    private void expect(String attack, int status, int expected) {
        tried++;
        if (status == expected) {
            refused++;
        } else {
            gotThrough.add(attack + " answered " + status);
        }
    }
}
