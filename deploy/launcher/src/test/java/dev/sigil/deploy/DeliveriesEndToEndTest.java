package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.sigil.contract.EventJson;

/**
 * output-writer as a delivery service: a delivery made through the admin API is written by the service with a key
 * it made itself, re-keyed when renewal-service says it is due, and its files removed with the delivery.
 */
@ExtendWith(SigilCluster.class)
class DeliveriesEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void aDeliveryIsWrittenRekeyedWhenDueAndRemovedWithItsFiles(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String id = "d-" + UUID.randomUUID().toString().substring(0, 8);
        Path out = dir.resolve("out");
        Bots.admin(cluster).createDelivery(id, bot, "identity", out.toString(), "20s");

        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(out.resolve("ssh_config")));
        assertThat(Bots.run("openssl", "verify", "-CAfile", out.resolve("tls-ca.crt").toString(), out.resolve("tlscert").toString())
                .output()).endsWith(": OK\n");
        String firstKey = Files.readString(out.resolve("key.pub"));
        assertThat(Bots.run("ssh-keygen", "-L", "-f", out.resolve("key-cert.pub").toString()).output())
                .contains("Key ID: \"bot-" + bot + "/delivery-" + id);

        // Renewal is due at about half of 20s: renewal-service says so on sigil.renewal.due, output-writer re-keys.
        await().atMost(Duration.ofSeconds(25)).until(() -> !Files.readString(out.resolve("key.pub")).equals(firstKey));
        assertThat(Bots.records(cluster, dev.sigil.contract.Topics.RENEWAL_DUE, bot)).anyMatch(due -> due.contains("delivery-" + id));
        assertThat(Bots.run("ssh-keygen", "-L", "-f", out.resolve("key-cert.pub").toString()).output())
                .contains("Public key: ED25519-CERT");

        Bots.admin(cluster).delete("/v1/admin/deliveries/" + id);
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(out));
    }

    @Test
    void aDeliveryForABotThatDoesNotExistSaysSoInTheView(LocalCluster cluster) throws Exception {
        String id = "d-" + UUID.randomUUID().toString().substring(0, 8);
        Bots.admin(cluster).createDelivery(id, "no-such-bot", "application", dir.resolve("never").toString(), "1h");

        await().atMost(Duration.ofSeconds(20)).until(() -> {
            var view = cluster.httpClient().send(java.net.http.HttpRequest.newBuilder(cluster.url(Service.OUTPUT_WRITER)
                    .resolve("/v1/deliveries")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            return view.contains("DELIVERY_UNKNOWN") || view.contains("BOT_NOT_FOUND");
        });
        assertThat(dir.resolve("never")).doesNotExist();
        Bots.admin(cluster).delete("/v1/admin/deliveries/" + id);
    }

    @Test
    void aDeliveryNamingARunnerNodeIsLeftToThatNodesWriter(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String id = "d-" + UUID.randomUUID().toString().substring(0, 8);
        Path out = dir.resolve("on-runner-7");
        Bots.admin(cluster).post("/v1/admin/deliveries", Map.of("id", id, "bot", bot, "output", Map.of("kind", "identity"),
                "destination", Map.of("type", "directory", "path", out.toString()), "node", "runner-7"));
        String control = id + "-anywhere";
        Bots.admin(cluster).createDelivery(control, bot, "identity", dir.resolve("anywhere").toString(), "1h");

        // The cluster-wide writer (no node of its own) writes the control delivery, and leaves the runner's alone.
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("anywhere/key")));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(out));
        String view = cluster.httpClient().send(java.net.http.HttpRequest.newBuilder(cluster.url(Service.OUTPUT_WRITER)
                .resolve("/v1/deliveries")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(view).contains(control).doesNotContain("\"" + id + "\"");
        Bots.admin(cluster).delete("/v1/admin/deliveries/" + id);
        Bots.admin(cluster).delete("/v1/admin/deliveries/" + control);
    }

    @Test
    void theAdminApiRefusesADestinationThatClimbsOutOfItsPath(LocalCluster cluster) throws Exception {
        for (String path : List.of("/var/lib/sigil/../../etc", "relative/dir", "/a/./b")) {
            Bots.Answer answer = Bots.post(cluster, "/v1/admin/deliveries", EventJson.write(Map.of("id", "bad", "bot", "b",
                    "output", Map.of("kind", "identity"), "destination", Map.of("type", "directory", "path", path))),
                    null);
            assertThat(answer.status()).as(path).isEqualTo(400);
            assertThat(answer.code()).isEqualTo("MALFORMED_REQUEST");
            assertThat(answer.body().get("message").asText()).contains("destination.path");
        }
    }
}
