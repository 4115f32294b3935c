package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.Topics;

/**
 * Fleet health: an identity nobody renews goes fresh → due → overdue → expired in renewal-service's view and
 * metrics, turning overdue and expired each put one alert on {@code sigil.alerts}, and join-service's
 * {@code GET /v1/admin/fleet} shows the bot's counts from {@code sigil.fleet}.
 */
@ExtendWith(SigilCluster.class)
class FleetHealthEndToEndTest {

    @Test
    void anIdentityThatIsNeverRenewedTurnsOverdueThenExpiredWithAnAlertForEach(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        Bots.Answer joined = Bots.post(cluster, "/v1/join", EventJson.write(Map.of("joinMethod", "token", "token",
                Bots.admin(cluster).createToken(bot, "10m"), "publicKey", Bots.newPublicKey(), "ttl", "8s")), null);
        assertThat(joined.status()).as(joined.body().toString()).isEqualTo(200);
        String instance = joined.body().at("/identity/instanceId").asText();

        await().atMost(Duration.ofSeconds(5)).until(() -> fleet(cluster, bot).path("fresh").asLong() == 1);

        List<String> alerts = await().atMost(Duration.ofSeconds(20)).until(() -> Bots.records(cluster, Topics.ALERTS, bot),
                a -> a.size() >= 2);
        assertThat(alerts).hasSize(2);
        assertThat(alerts.get(0)).contains("\"state\":\"overdue\"").contains(instance).contains("has not renewed");
        assertThat(alerts.get(1)).contains("\"state\":\"expired\"").contains(instance).contains("Restart its agent");
        assertThat(fleet(cluster, bot).path("expired").asLong()).isEqualTo(1);
        assertThat(fleet(cluster, bot).path("fresh").asLong()).isZero();

        // join-service shows the same through sigil.fleet, without calling renewal-service.
        JsonNode viewed = await().atMost(Duration.ofSeconds(30)).until(() -> Bots.admin(cluster).get("/v1/admin/fleet?bot=" + bot),
                v -> v.at("/items/0/expired").asLong() == 1);
        assertThat(viewed.at("/items/0/bot").asText()).isEqualTo(bot);
        assertThat(viewed.at("/items/0/fresh").asLong()).isZero();
        assertThat(viewed.at("/totals/expired").asLong()).isPositive();

        String metrics = get(cluster, "/q/metrics");
        assertThat(metrics).contains("sigil_fleet_bot_identities{bot=\"" + bot + "\",state=\"expired\"} 1.0")
                .containsPattern("sigil_fleet_identities\\{state=\"expired\"\\} [1-9]");
    }

    private static JsonNode fleet(LocalCluster cluster, String bot) throws Exception {
        return EventJson.MAPPER.readTree(get(cluster, "/v1/fleet?fresh=true&bot=" + bot)).path("identities");
    }

    private static String get(LocalCluster cluster, String path) throws Exception {
        return cluster.httpClient().send(HttpRequest.newBuilder(cluster.url(Service.RENEWAL).resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
