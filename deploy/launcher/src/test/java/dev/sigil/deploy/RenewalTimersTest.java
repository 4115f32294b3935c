package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.RenewalDue;
import dev.sigil.contract.Topics;

/** Renewal timers are durable: renewal-service killed with -9 still fires each one, once, at or after its time. */
@ExtendWith(SigilCluster.class)
class RenewalTimersTest {
    private static final int IDENTITIES = 6;

    @Test
    void everyTimerFiresOnceAtItsTimeAcrossAKill(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        for (int i = 0; i < IDENTITIES; i++) {
            // Two minutes of lifetime (plus one of backdating) put the renewal point 12 to 48 s from now.
            Bots.Answer joined = Bots.post(cluster, "/v1/join", EventJson.write(Map.of("token",
                    Bots.admin(cluster).createToken(bot, "10m"), "publicKey", Bots.newPublicKey(), "ttl", "120s")), null);
            assertThat(joined.status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> tracked(cluster, bot) == IDENTITIES);

        cluster.kill(Service.RENEWAL);
        cluster.restart(Service.RENEWAL);

        List<ConsumerRecord<String, String>> fired = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cluster.operatorClient(ConsumerConfig.GROUP_ID_CONFIG, "due-check-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            consumer.subscribe(List.of(Topics.RENEWAL_DUE));
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    if (bot.equals(r.key())) {
                        fired.add(r);
                    }
                });
                return fired.stream().map(r -> EventJson.read(r.value(), RenewalDue.class).instanceId()).distinct().count() == IDENTITIES;
            });
            consumer.poll(Duration.ofSeconds(2)).forEach(r -> {
                if (bot.equals(r.key())) {
                    fired.add(r);
                }
            });
        }
        assertThat(fired).as("each timer fired once").hasSize(IDENTITIES);
        for (ConsumerRecord<String, String> record : fired) {
            RenewalDue due = EventJson.read(record.value(), RenewalDue.class);
            assertThat(Instant.ofEpochMilli(record.timestamp())).as("not before its time").isAfterOrEqualTo(due.renewAt());
        }
    }

    private static int tracked(LocalCluster cluster, String bot) throws Exception {
        HttpResponse<String> response = cluster.httpClient().send(HttpRequest.newBuilder(cluster.url(Service.RENEWAL)
                .resolve("/v1/identities?bot=" + bot)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? EventJson.MAPPER.readTree(response.body()).size() : -1;
    }
}
