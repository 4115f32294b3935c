package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.sigil.contract.EventJson;
import dev.sigil.join.admin.AdminResource;

/**
 * The admin API's resources through the real services: every kind listed in pages with its filters, read back
 * with its ETag, updated only at the version read (409 on a stale one, 428 without), and deleted; a deleted bot
 * leaves nothing usable behind; the OpenAPI document describes all of it.
 */
@ExtendWith(SigilCluster.class)
class AdminResourcesEndToEndTest {
    private static final String HOST_CA = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

    @TempDir
    Path dir;

    /** Everything one test made: a role, three bots on it, tokens, a lock, a leaf cluster and a delivery. */
    private record Made(String prefix, String role, List<String> bots, List<String> secrets, String githubToken,
            String leaf, String delivery) {
    }

    private static Made make(LocalCluster cluster) throws Exception {
        AdminClient admin = Bots.admin(cluster);
        String prefix = "res-" + UUID.randomUUID().toString().substring(0, 8);
        String role = prefix + "-role";
        admin.createRole(role, List.of("deploy"));
        List<String> bots = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            admin.createBot(prefix + "-bot-" + i, List.of(role), List.of("deploy"));
            bots.add(prefix + "-bot-" + i);
        }
        List<String> secrets = List.of(admin.createToken(bots.get(0), "10m"), admin.createToken(bots.get(0), "10m"));
        String github = prefix + "-gh";
        admin.post("/v1/admin/tokens", Map.of("name", github, "bot", bots.get(0), "joinMethod", "github",
                "allow", List.of(Map.of("repository", "acme/app")), "config", Map.of("issuer", SigilCluster.GITHUB.url(),
                        "audience", "sigil-e2e")));
        admin.post("/v1/admin/locks", Map.of("target", "bot:" + bots.get(2), "reason", "under investigation"));
        String leaf = prefix + "-leaf";
        admin.post("/v1/admin/leaf-clusters", Map.of("name", leaf, "hostCa", HOST_CA));
        String delivery = prefix + "-delivery";
        admin.post("/v1/admin/deliveries", Map.of("id", delivery, "bot", bots.get(1), "output", Map.of("kind", "identity"),
                "destination", Map.of("type", "memory")));
        return new Made(prefix, role, bots, secrets, github, leaf, delivery);
    }

    @Test
    void everyKindIsListedInPagesWithItsFiltersAndReadBackWithItsEtag(LocalCluster cluster) throws Exception {
        Made made = make(cluster);
        AdminClient admin = Bots.admin(cluster);

        JsonNode first = admin.get("/v1/admin/bots?role=" + made.role() + "&limit=2");
        assertThat(names(first, "name")).containsExactly(made.bots().get(0), made.bots().get(1));
        assertThat(first.get("next").asText()).isEqualTo(made.bots().get(1));
        JsonNode second = admin.get("/v1/admin/bots?role=" + made.role() + "&limit=2&after=" + first.get("next").asText());
        assertThat(names(second, "name")).containsExactly(made.bots().get(2));
        assertThat(second.get("next").isNull()).isTrue();
        assertThat(names(admin.get("/v1/admin/bots?limit=1000&after=" + made.prefix()), "name"))
                .as("after is a cursor into the sorted names").startsWith(made.bots().toArray(String[]::new));

        JsonNode tokens = admin.get("/v1/admin/tokens?bot=" + made.bots().get(0));
        assertThat(tokens.get("items")).hasSize(3);
        assertThat(names(admin.get("/v1/admin/tokens?bot=" + made.bots().get(0) + "&method=github"), "name"))
                .containsExactly(made.githubToken());
        for (String secret : made.secrets()) {
            assertThat(tokens.toString()).as("a token list never shows a secret").doesNotContain(secret);
            String name = AdminResource.tokenName(secret);
            assertThat(names(tokens, "name")).contains(name);
            HttpResponse<String> one = send(admin, "GET", "/v1/admin/tokens/" + name, null, null);
            assertThat(one.statusCode()).isEqualTo(200);
            assertThat(one.body()).doesNotContain(secret).contains("\"bot\":\"" + made.bots().get(0) + "\"");
        }
        assertThat(names(admin.get("/v1/admin/locks?target=bot:" + made.bots().get(2)), "target"))
                .containsExactly("bot:" + made.bots().get(2));
        assertThat(names(admin.get("/v1/admin/deliveries?bot=" + made.bots().get(1)), "id")).containsExactly(made.delivery());
        assertThat(names(admin.get("/v1/admin/roles?after=" + made.prefix() + "&limit=1"), "name")).containsExactly(made.role());
        assertThat(names(admin.get("/v1/admin/leaf-clusters?after=" + made.prefix() + "&limit=1"), "name")).containsExactly(made.leaf());

        for (String path : List.of("roles/" + made.role(), "bots/" + made.bots().get(0), "tokens/" + made.githubToken(),
                "locks/bot:" + made.bots().get(2), "leaf-clusters/" + made.leaf(), "deliveries/" + made.delivery())) {
            HttpResponse<String> got = send(admin, "GET", "/v1/admin/" + path, null, null);
            assertThat(got.statusCode()).as(path).isEqualTo(200);
            assertThat(got.headers().firstValue("ETag")).as(path).hasValueSatisfying(etag -> assertThat(etag).matches("\"[0-9a-f]{32}\""));
            HttpResponse<String> missing = send(admin, "GET", "/v1/admin/" + path.replaceAll("res-", "absent-"), null, null);
            assertThat(missing.statusCode()).as(path).isEqualTo(404);
            assertThat(missing.body()).contains("\"code\":\"NOT_FOUND\"");
        }
        assertThat(send(admin, "GET", "/v1/admin/bots?limit=0", null, null).statusCode()).isEqualTo(400);
        assertThat(send(admin, "GET", "/v1/admin/bots?limit=1001", null, null).statusCode()).isEqualTo(400);
    }

    @Test
    void anUpdateOfEachKindNeedsTheEtagItWasReadAt(LocalCluster cluster) throws Exception {
        Made made = make(cluster);
        AdminClient admin = Bots.admin(cluster);
        Map<String, java.util.function.Consumer<ObjectNode>> changes = Map.of(
                "roles/" + made.role(), r -> r.putArray("logins").add("deploy").add("ops"),
                "bots/" + made.bots().get(0), b -> b.put("maxSessionTtl", "PT2H"),
                "tokens/" + made.githubToken(), t -> t.put("expires", "2030-01-01T00:00:00Z"),
                "locks/bot:" + made.bots().get(2), l -> l.put("reason", "still under investigation, see INC-7"),
                "leaf-clusters/" + made.leaf(), l -> l.put("hostCa", HOST_CA + " renamed"),
                "deliveries/" + made.delivery(), d -> d.put("ttl", "PT30M"));
        for (var change : changes.entrySet()) {
            String path = "/v1/admin/" + change.getKey();
            HttpResponse<String> read = send(admin, "GET", path, null, null);
            String etag = read.headers().firstValue("ETag").orElseThrow();
            ObjectNode body = (ObjectNode) EventJson.MAPPER.readTree(read.body());
            change.getValue().accept(body);

            HttpResponse<String> without = send(admin, "PUT", path, body.toString(), null);
            assertThat(without.statusCode()).as(path).isEqualTo(428);
            assertThat(without.body()).contains("\"code\":\"VERSION_REQUIRED\"");

            HttpResponse<String> updated = send(admin, "PUT", path, body.toString(), etag);
            assertThat(updated.statusCode()).as(path + ": " + updated.body()).isEqualTo(200);
            String newEtag = updated.headers().firstValue("ETag").orElseThrow();
            assertThat(newEtag).as(path).isNotEqualTo(etag);
            HttpResponse<String> after = send(admin, "GET", path, null, null);
            assertThat(EventJson.MAPPER.readTree(after.body())).as(path).isEqualTo(EventJson.MAPPER.readTree(updated.body()));
            assertThat(after.headers().firstValue("ETag")).as(path).hasValue(newEtag);

            HttpResponse<String> stale = send(admin, "PUT", path, body.toString(), etag);
            assertThat(stale.statusCode()).as(path).isEqualTo(409);
            assertThat(stale.body()).contains("\"code\":\"VERSION_CONFLICT\"");
        }
        assertThat(admin.get("/v1/admin/bots/" + made.bots().get(0)).get("maxSessionTtl").asText()).isEqualTo("PT2H");
    }

    @Test
    void ofConcurrentUpdatesAtTheSameEtagExactlyOneWins(LocalCluster cluster) throws Exception {
        Made made = make(cluster);
        AdminClient admin = Bots.admin(cluster);
        String path = "/v1/admin/bots/" + made.bots().get(1);
        HttpResponse<String> read = send(admin, "GET", path, null, null);
        String etag = read.headers().firstValue("ETag").orElseThrow();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ObjectNode body = (ObjectNode) EventJson.MAPPER.readTree(read.body());
                body.put("maxSessionTtl", "PT" + (i + 1) + "H");
                Callable<HttpResponse<String>> put = () -> send(admin, "PUT", path, body.toString(), etag);
                answers.add(pool.submit(put));
            }
            List<Integer> statuses = new ArrayList<>();
            String winner = null;
            for (Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get();
                statuses.add(response.statusCode());
                if (response.statusCode() == 200) {
                    winner = EventJson.MAPPER.readTree(response.body()).get("maxSessionTtl").asText();
                }
            }
            assertThat(statuses).as("one update wins, the others are told it changed").containsOnly(200, 409)
                    .filteredOn(s -> s == 200).hasSize(1);
            assertThat(admin.get(path).get("maxSessionTtl").asText()).isEqualTo(winner);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void eachKindCanBeDeletedOnce(LocalCluster cluster) throws Exception {
        Made made = make(cluster);
        AdminClient admin = Bots.admin(cluster);
        String tokenName = AdminResource.tokenName(made.secrets().get(1));
        for (String path : List.of("tokens/" + tokenName, "tokens/" + made.githubToken(), "locks/bot:" + made.bots().get(2),
                "leaf-clusters/" + made.leaf(), "deliveries/" + made.delivery(), "bots/" + made.bots().get(1),
                "roles/" + made.role())) {
            HttpResponse<String> deleted = send(admin, "DELETE", "/v1/admin/" + path, null, null);
            assertThat(deleted.statusCode()).as(path + ": " + deleted.body()).isEqualTo(200);
            assertThat(deleted.body()).contains("\"deleted\":\"" + path.substring(path.indexOf('/') + 1) + "\"");
            assertThat(send(admin, "GET", "/v1/admin/" + path, null, null).statusCode()).as(path).isEqualTo(404);
            assertThat(send(admin, "DELETE", "/v1/admin/" + path, null, null).statusCode()).as(path).isEqualTo(404);
        }
        assertThat(Bots.join(cluster, made.secrets().get(1), Bots.newPublicKey()).code()).isEqualTo("TOKEN_NOT_FOUND");
        assertThat(send(admin, "DELETE", "/v1/admin/roles/" + made.role(), null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void aDeletedBotLeavesNoTokenToJoinWithNoInstanceToRenewAndNoTimer(LocalCluster cluster) throws Exception {
        AdminClient admin = Bots.admin(cluster);
        String bot = Bots.newBot(cluster, List.of("deploy"));
        Path identity = dir.resolve("identity");
        LocalCluster.ProcessResult joined = Bots.agentJoin(cluster, identity, bot);
        assertThat(joined.exitCode()).as(joined.stderr()).isZero();
        LocalCluster.ProcessResult renewed = renew(cluster, identity);
        assertThat(renewed.exitCode()).as(renewed.stderr()).isZero();
        String unused = admin.createToken(bot, "10m");

        JsonNode listed = await().atMost(Duration.ofSeconds(10))
                .until(() -> admin.get("/v1/admin/bot-instances?bot=" + bot).get("items"),
                        items -> items.size() == 1 && items.get(0).get("generation").asLong() == 2);
        String instance = listed.get(0).get("instanceId").asText();
        assertThat(listed.get(0).get("joinMethod").asText()).isEqualTo("token");
        assertThat(listed.get(0).hasNonNull("lastSeen")).isTrue();
        JsonNode history = admin.get("/v1/admin/bot-instances/" + bot + "/" + instance).get("history");
        assertThat(history.findValuesAsText("kind")).containsExactly("join", "renewal");
        assertThat(history.findValuesAsText("generation")).containsExactly("1", "2");
        assertThat(history.findValuesAsText("joinMethod")).containsExactly("token", "token");
        assertThat(history.findValuesAsText("host")).as("where each came from, as join-service saw it")
                .containsExactly("127.0.0.1", "127.0.0.1");
        await().atMost(Duration.ofSeconds(20)).until(() -> trackedIdentities(cluster, bot), tracked -> tracked == 1);

        HttpResponse<String> deleted = send(admin, "DELETE", "/v1/admin/bots/" + bot, null, null);

        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        JsonNode answer = EventJson.MAPPER.readTree(deleted.body());
        assertThat(answer.get("joinTokensDeleted").toString()).contains(AdminResource.tokenName(unused));
        assertThat(answer.get("instancesLocked").toString()).contains(instance);
        assertThat(admin.get("/v1/admin/tokens?bot=" + bot).get("items")).isEmpty();
        assertThat(admin.get("/v1/admin/locks/instance:" + instance).get("reason").asText()).isEqualTo("bot deleted");

        Bots.Answer join = Bots.join(cluster, unused, Bots.newPublicKey());
        assertThat(join.status()).as("a join with the deleted bot's token").isEqualTo(401);
        assertThat(join.code()).isEqualTo("TOKEN_NOT_FOUND");
        LocalCluster.ProcessResult refused = renew(cluster, identity);
        assertThat(refused.exitCode()).as("a renewal with the deleted bot's identity: " + refused.stderr()).isEqualTo(2);
        assertThat(refused.stderr()).containsAnyOf("LOCKED", "BOT_NOT_FOUND");
        await().atMost(Duration.ofSeconds(20)).until(() -> trackedIdentities(cluster, bot), tracked -> tracked == 0);
    }

    @Test
    void theOpenApiDocumentIsPublicAndListsEveryAdminPathWithItsRefusalCodes(LocalCluster cluster) throws Exception {
        // No client certificate and no credentials at all: the document is public, like any API reference.
        HttpClient anyone = HttpClient.newBuilder().sslContext(CaTrust.sslContext(cluster.tlsCa())).build();
        HttpResponse<String> response = anyone.send(HttpRequest.newBuilder(cluster.url(Service.JOIN)
                .resolve("/v1/openapi?format=json")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode paths = EventJson.MAPPER.readTree(response.body()).get("paths");
        for (String kind : List.of("roles", "bots", "tokens", "leaf-clusters", "deliveries")) {
            assertThat(paths.has("/v1/admin/" + kind)).as(kind).isTrue();
            JsonNode one = paths.get("/v1/admin/" + kind + "/{" + (kind.equals("deliveries") ? "id" : "name") + "}");
            assertThat(one).as(kind).isNotNull();
            assertThat(one.at("/get/responses/404/description").asText()).startsWith("NOT_FOUND");
            assertThat(one.at("/put/responses/409/description").asText()).startsWith("VERSION_CONFLICT");
            assertThat(one.at("/put/responses/428/description").asText()).startsWith("VERSION_REQUIRED");
            assertThat(one.has("delete")).as(kind).isTrue();
        }
        assertThat(paths.at("/~1v1~1admin~1locks~1{target}/put/responses/409/description").asText()).startsWith("VERSION_CONFLICT");
        assertThat(paths.has("/v1/admin/bot-instances/{bot}/{instanceId}")).isTrue();
        assertThat(paths.at("/~1v1~1admin~1bots/get/parameters").findValuesAsText("name")).contains("limit", "after", "role");
        assertThat(paths.at("/~1v1~1admin~1tokens/get/parameters").findValuesAsText("name")).contains("bot", "method");
    }

    private static LocalCluster.ProcessResult renew(LocalCluster cluster, Path identity) throws Exception {
        return cluster.runAgent("renew", "--join-url", cluster.url(Service.JOIN).toString(), "--ca-pin", cluster.caPin(),
                "--destination", identity.toString());
    }

    private static int trackedIdentities(LocalCluster cluster, String bot) throws Exception {
        HttpResponse<String> r = cluster.httpClient().send(HttpRequest.newBuilder(cluster.url(Service.RENEWAL)
                .resolve("/v1/identities?bot=" + bot)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? EventJson.MAPPER.readTree(r.body()).size() : -1;
    }

    private static List<String> names(JsonNode page, String field) {
        List<String> names = new ArrayList<>();
        page.get("items").forEach(item -> names.add(item.get(field).asText()));
        return names;
    }

    /** A request with the admin's credentials, answered as it is (no status check): refusals are what is tested. */
    private static HttpResponse<String> send(AdminClient admin, String method, String path, String body, String ifMatch)
            throws Exception {
        HttpRequest.Builder request = admin.request(path).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        return admin.http().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
