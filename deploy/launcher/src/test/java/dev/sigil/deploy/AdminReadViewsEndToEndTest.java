package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.AdminSpec;
import dev.sigil.contract.EventJson;

/**
 * The admin API's read views over the bus: the audit trail (recent lines, newest last, and followed live as
 * server-sent events) and fleet health per bot paged in name order.
 */
@ExtendWith(SigilCluster.class)
class AdminReadViewsEndToEndTest {

    @Test
    void theAuditTrailEndsWithTheLatestIssuanceAndFollowingItStreamsTheNextOneLive(LocalCluster cluster) throws Exception {
        AdminClient admin = Bots.admin(cluster);
        String first = Bots.newBot(cluster, List.of("deploy"));
        assertThat(Bots.join(cluster, admin.createToken(first, "10m"), Bots.newPublicKey()).status()).isEqualTo(200);
        JsonNode recent = await().atMost(Duration.ofSeconds(15)).until(() -> admin.get("/v1/admin/audit?limit=5"),
                r -> mentions(r, first));
        assertThat(recent.at("/items").size()).isLessThanOrEqualTo(5);
        List<String> times = new java.util.ArrayList<>();
        recent.at("/items").forEach(i -> times.add(i.path("time").asText()));
        assertThat(times).as("newest last").isSortedAccordingTo(java.util.Comparator.comparing(java.time.Instant::parse));

        HttpResponse<Stream<String>> stream = admin.http().send(admin.request("/v1/admin/audit?follow=true&limit=0").GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        StringBuffer seen = new StringBuffer();
        Thread reader = new Thread(() -> {
            try {
                stream.body().forEach(l -> seen.append(l).append('\n'));
            } catch (java.io.UncheckedIOException closedByTheTest) {
                // the stream ends when the test closes it
            }
        }, "audit-follower");
        reader.setDaemon(true);
        reader.start();
        try {
            String second = Bots.newBot(cluster, List.of("deploy"));
            assertThat(Bots.join(cluster, admin.createToken(second, "10m"), Bots.newPublicKey()).status()).isEqualTo(200);
            // The admin writes that made the bot and its token are audited too; the join is the line issued to it.
            String issued = await().atMost(Duration.ofSeconds(15)).until(() -> seen.toString().lines()
                    .filter(l -> l.startsWith("data:") && l.contains("\"bot\":\"" + second + "\"") && l.contains("\"event\":\"issued\""))
                    .findFirst().orElse(null), l -> l != null);
            assertThat(EventJson.MAPPER.readTree(issued.substring("data:".length())).path("joinMethod").asText()).isEqualTo("token");
            // limit=0: nothing from before the stream opened.
            assertThat(seen.toString()).doesNotContain("\"bot\":\"" + first + "\"");
        } finally {
            stream.body().close();
        }
    }

    @Test
    void anAdminFollowsInAtMostFourStreamsAndItsStreamsEndOnceItIsLocked(LocalCluster cluster) throws Exception {
        String name = "follower-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        AdminBootstrap.Bootstrapped bootstrapped = cluster.bootstrapAdmin(name, AdminSpec.READ_ONLY);
        java.net.http.HttpClient follower = cluster.httpClient(AdminIdentity.join(cluster.anonymousHttpClient(),
                cluster.url(Service.JOIN), name, bootstrapped.token(), "1h"));
        java.net.http.HttpRequest follow = Bots.admin(cluster).request("/v1/admin/audit?follow=true&limit=0").GET().build();
        List<StringBuffer> seen = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger ended = new java.util.concurrent.atomic.AtomicInteger();
        List<HttpResponse<Stream<String>>> streams = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                HttpResponse<Stream<String>> stream = follower.send(follow, HttpResponse.BodyHandlers.ofLines());
                assertThat(stream.statusCode()).isEqualTo(200);
                streams.add(stream);
                StringBuffer lines = new StringBuffer();
                seen.add(lines);
                Thread reader = new Thread(() -> {
                    try {
                        stream.body().forEach(l -> lines.append(l).append('\n'));
                        ended.incrementAndGet();
                    } catch (java.io.UncheckedIOException closedByTheTest) {
                        // the test closes what the server did not end
                    }
                }, "audit-follower-" + i);
                reader.setDaemon(true);
                reader.start();
            }
            HttpResponse<String> fifth = follower.send(follow, HttpResponse.BodyHandlers.ofString());
            assertThat(fifth.statusCode()).as(fifth.body()).isEqualTo(429);
            assertThat(fifth.body()).contains("RATE_LIMITED").contains("the most one admin may");

            Bots.admin(cluster).post("/v1/admin/locks", Map.of("target", "bot:" + name, "reason", "left the team"));
            await().atMost(Duration.ofSeconds(40)).until(() -> ended.get() == 4);
            seen.forEach(lines -> assertThat(lines.toString()).contains(":the stream ends: LOCKED"));
            // Nothing after the lock reached the locked admin, though admins kept writing.
            String after = Bots.newBot(cluster, List.of("deploy"));
            await().atMost(Duration.ofSeconds(15)).until(() -> Bots.admin(cluster).get("/v1/admin/audit?limit=50").toString()
                    .contains(after));
            seen.forEach(lines -> assertThat(lines.toString()).doesNotContain(after));
        } finally {
            streams.forEach(s -> s.body().close());
        }
    }

    @Test
    void aFollowThatIsNeitherTrueNorFalseIsRefusedWithTheWordsToUse(LocalCluster cluster) throws Exception {
        AdminClient admin = Bots.admin(cluster);
        HttpResponse<String> answer = admin.http().send(admin.request("/v1/admin/audit?follow=yes").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("MALFORMED_REQUEST").contains("follow must be true or false");
    }

    @Test
    void fleetHealthIsPagedInBotNameOrderWithACursor(LocalCluster cluster) throws Exception {
        AdminClient admin = Bots.admin(cluster);
        List<String> bots = List.of(Bots.newBot(cluster, List.of("deploy")), Bots.newBot(cluster, List.of("deploy")));
        for (String bot : bots) {
            assertThat(Bots.join(cluster, admin.createToken(bot, "10m"), Bots.newPublicKey()).status()).isEqualTo(200);
        }
        for (String bot : bots) {
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.get("/v1/admin/fleet?bot=" + bot).at("/items/0/fresh").asLong() == 1);
        }
        JsonNode page = admin.get("/v1/admin/fleet?limit=1");
        assertThat(page.at("/items").size()).isEqualTo(1);
        String cursor = page.path("next").asText();
        JsonNode nextPage = admin.get("/v1/admin/fleet?limit=1&after=" + cursor);
        assertThat(nextPage.at("/items/0/bot").asText()).isGreaterThan(cursor);
        assertThat(EventJson.MAPPER.convertValue(admin.get("/v1/admin/fleet?limit=1000").at("/totals"), Map.class))
                .containsKeys("fresh", "due", "overdue", "expired");
    }

    private static boolean mentions(JsonNode recent, String bot) {
        for (JsonNode item : recent.at("/items")) {
            if (bot.equals(item.path("bot").asText())) {
                return true;
            }
        }
        return false;
    }
}
