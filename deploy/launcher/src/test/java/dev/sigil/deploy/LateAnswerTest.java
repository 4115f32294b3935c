package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.Topics;

/**
 * A join whose answer does not come within one reply timeout (5 s) is asked for again with the same request id,
 * and the bot gets the one set of certificates the issuer made for it, audited once. The issuer is paused, as a
 * restarting issuer or one whose partitions are moving looks to join-service.
 */
@ExtendWith(SigilCluster.class)
class LateAnswerTest {

    @Test
    void aJoinAsksAgainWithTheSameRequestIdAndIsIssuedOnce(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = Bots.admin(cluster).createToken(bot, "10m");
        String requestId = UUID.randomUUID().toString();
        String body = EventJson.write(Map.of("joinMethod", "token", "token", token, "publicKey", Bots.newPublicKey(),
                "requestId", requestId));
        List<LocalCluster.Replica> issuers = cluster.replicas(Service.ISSUER);

        // Paused for longer than one attempt and well within the issuer's 10 s Kafka session, so nothing rebalances.
        signal(cluster, issuers, "-STOP");
        CompletableFuture<Bots.Answer> join;
        try {
            join = CompletableFuture.supplyAsync(() -> {
                try {
                    return Bots.post(cluster, "/v1/join", body, null);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(9)).until(() -> Files.readString(cluster.log(Service.JOIN))
                    .contains("issue request " + requestId + " for bot " + bot + ": no answer after attempt 1, asking again"));
        } finally {
            signal(cluster, issuers, "-CONT");
        }

        Bots.Answer answer = join.get(30, TimeUnit.SECONDS);
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        String serial = answer.body().at("/identity/serial").asText();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<JsonNode> answers = Bots.records(cluster, Topics.ISSUE_RESULTS, bot).stream().map(LateAnswerTest::tree)
                    .filter(result -> requestId.equals(result.path("requestId").asText())).toList();
            assertThat(answers).as("both attempts were answered").hasSizeGreaterThanOrEqualTo(2);
            assertThat(answers).as("with the same certificates").allSatisfy(result ->
                    assertThat(result.at("/identity/serial").asText()).isEqualTo(serial));
        });
        assertThat(Bots.records(cluster, Topics.AUDIT, bot).stream().map(LateAnswerTest::tree)
                .filter(line -> serial.equals(line.path("serial").asText())).toList())
                .as("audited once: the second answer repeats the first").hasSize(1);
    }

    private static JsonNode tree(String json) {
        try {
            return EventJson.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void signal(LocalCluster cluster, List<LocalCluster.Replica> replicas, String signal)
            throws IOException, InterruptedException {
        for (LocalCluster.Replica replica : replicas) {
            Bots.Run kill = Bots.run("kill", signal, String.valueOf(cluster.process(replica).pid()));
            assertThat(kill.exitCode()).as(kill.output()).isZero();
        }
    }
}
