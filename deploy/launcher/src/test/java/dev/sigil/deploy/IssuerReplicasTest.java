package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two issuer-service replicas splitting the bots between them (by partition) on a Sigil of its own: locks reach
 * both within a second, a copied identity is caught whichever replica renews it, and when one replica dies the
 * other takes its bots over. Two output-writer replicas likewise split the deliveries, and the survivor renews a dead
 * one's deliveries before they expire.
 */
class IssuerReplicasTest {
    private static final int BOTS = 8;
    private static LocalCluster cluster;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LocalCluster(LocalCluster.sourceRoot(), Files.createTempDirectory("sigil-replicas"), "replicas.sigil.test")
                .withReplicas(Service.ISSUER, 2).withReplicas(Service.OUTPUT_WRITER, 2).start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void aLockIsHonouredByEveryReplicaWithinASecond() throws Exception {
        AdminClient admin = Bots.admin(cluster);
        List<String> bots = new ArrayList<>();
        for (int i = 0; i < BOTS; i++) {
            bots.add(Bots.newBot(cluster, List.of("deploy")));
        }
        List<List<String>> tokens = new ArrayList<>();
        for (String bot : bots) {
            List<String> mine = new ArrayList<>();
            for (int t = 0; t < 15; t++) {
                mine.add(admin.createToken(bot, "10m"));
            }
            tokens.add(mine);
        }
        for (String bot : bots) {
            admin.post("/v1/admin/locks", Map.of("target", "bot:" + bot, "reason", "fleet-wide freeze"));
        }

        List<CompletableFuture<Bots.Answer>> refusals = new ArrayList<>();
        for (int i = 0; i < BOTS; i++) {
            List<String> mine = tokens.get(i);
            refusals.add(CompletableFuture.supplyAsync(() -> await().atMost(Duration.ofSeconds(1))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> Bots.join(cluster, mine.remove(0), Bots.newPublicKey()), a -> a.status() == 403)));
        }
        for (CompletableFuture<Bots.Answer> refusal : refusals) {
            assertThat(refusal.get().code()).isEqualTo("LOCKED");
        }
    }

    @Test
    void aCopiedIdentityIsCaughtAndWhenAReplicaDiesTheOtherServesItsBots() throws Exception {
        Path original = dir.resolve("original");
        String bot = Bots.newBot(cluster, List.of("deploy"));
        Path tokenFile = Files.writeString(dir.resolve("token"), Bots.admin(cluster).createToken(bot, "10m"));
        assertThat(agent("start", "--oneshot", "--token-file", tokenFile.toString(), "--destination", original.toString())
                .exitCode()).isZero();
        Path copy = Files.createDirectory(dir.resolve("copy"));
        try (var files = Files.list(original)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        assertThat(agent("renew", "--destination", copy.toString()).exitCode()).isZero();
        assertThat(agent("renew", "--destination", original.toString()).stderr()).contains("GENERATION_MISMATCH");

        cluster.kill(new LocalCluster.Replica(Service.ISSUER, 1));

        for (int i = 0; i < BOTS; i++) {
            String other = Bots.newBot(cluster, List.of("deploy"));
            String token = Bots.admin(cluster).createToken(other, "10m");
            String key = Bots.newPublicKey();
            String requestId = java.util.UUID.randomUUID().toString();
            // The agent's way: retry an unanswered join with the same request id until the survivor takes over.
            Bots.Answer joined = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(
                    () -> Bots.post(cluster, "/v1/join", dev.sigil.contract.EventJson.write(Map.of("token", token,
                            "publicKey", key, "requestId", requestId)), null), a -> a.status() != 503);
            assertThat(joined.status()).as(joined.body().toString()).isEqualTo(200);
        }
    }

    private static LocalCluster.ProcessResult agent(String command, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(command, "--join-url", cluster.url(Service.JOIN).toString(), "--ca-pin",
                cluster.caPin()));
        all.addAll(List.of(args));
        return cluster.runAgent(all.toArray(String[]::new));
    }

    @Test
    void whenAnOutputWriterReplicaDiesTheOtherRenewsItsDeliveriesBeforeTheyExpire() throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String id = bot + "-d" + i;
            ids.add(id);
            Bots.admin(cluster).createDelivery(id, bot, "identity", dir.resolve(id).toString(), "2m");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id -> Files.exists(dir.resolve(id).resolve("ssh_config"))));
        Map<LocalCluster.Replica, List<String>> held = new java.util.HashMap<>();
        for (LocalCluster.Replica replica : cluster.replicas(Service.OUTPUT_WRITER)) {
            held.put(replica, heldBy(replica).stream().filter(ids::contains).toList());
        }
        // Each delivery is held by exactly one replica.
        assertThat(held.values().stream().flatMap(List::stream).sorted().toList()).isEqualTo(ids.stream().sorted().toList());
        LocalCluster.Replica victim = held.entrySet().stream().filter(e -> !e.getValue().isEmpty()).findFirst().orElseThrow().getKey();
        LocalCluster.Replica survivor = cluster.replicas(Service.OUTPUT_WRITER).stream().filter(r -> !r.equals(victim)).findFirst().orElseThrow();
        Map<String, java.time.Instant> expiring = new java.util.HashMap<>();
        for (String id : held.get(victim)) {
            expiring.put(id, Bots.notAfter(dir.resolve(id).resolve("tlscert")));
        }

        cluster.kill(victim);

        await().atMost(Duration.ofSeconds(60)).until(() -> heldBy(survivor).containsAll(ids));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (var e : expiring.entrySet()) {
                assertThat(Bots.notAfter(dir.resolve(e.getKey()).resolve("tlscert"))).as(e.getKey()).isAfter(e.getValue());
            }
        });
        assertThat(java.time.Instant.now()).as("taken over before the dead replica's certificates expired")
                .isBefore(expiring.values().stream().min(java.util.Comparator.naturalOrder()).orElseThrow());
        cluster.restart(victim);
    }

    private static List<String> heldBy(LocalCluster.Replica replica) throws Exception {
        var response = cluster.httpClient().send(java.net.http.HttpRequest.newBuilder(cluster.url(replica).resolve("/v1/deliveries"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        List<String> ids = new ArrayList<>();
        dev.sigil.contract.EventJson.MAPPER.readTree(response.body()).forEach(d -> ids.add(d.get("id").asText()));
        return ids;
    }

}
