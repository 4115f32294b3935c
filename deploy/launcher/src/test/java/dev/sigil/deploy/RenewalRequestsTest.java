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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.RenewalDue;
import dev.sigil.contract.RenewalRequest;
import dev.sigil.contract.Topics;

/** A renewal request on Kafka for one role renews exactly those bots, spread over its window, and only once. */
@ExtendWith(SigilCluster.class)
class RenewalRequestsTest {
    private static final int EACH = 4;
    private static final Duration SPREAD = Duration.ofSeconds(6);

    @Test
    void aRoleRequestRenewsExactlyThatRolesBotsSpreadOverTheWindowOnce(LocalCluster cluster) throws Exception {
        String renewed = Bots.newBot(cluster, List.of("deploy"));
        String untouched = Bots.newBot(cluster, List.of("deploy"));
        for (String bot : List.of(renewed, untouched)) {
            for (int i = 0; i < EACH; i++) {
                assertThat(Bots.join(cluster, Bots.admin(cluster).createToken(bot, "10m"), Bots.newPublicKey()).status()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> tracked(cluster, bot) == EACH);
        }

        try (KafkaConsumer<String, String> consumer = dueConsumer(cluster)) {
            RenewalRequest request = new RenewalRequest(UUID.randomUUID().toString(), null, null, renewed + "-role", SPREAD);
            Instant requested = Instant.now();
            publish(cluster, request);
            List<ConsumerRecord<String, String>> fired = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(300)).forEach(fired::add);
                return fired.stream().filter(r -> renewed.equals(r.key())).count() >= EACH;
            });
            assertThat(fired).noneMatch(r -> untouched.equals(r.key()));
            List<Instant> times = fired.stream().filter(r -> renewed.equals(r.key()))
                    .map(r -> EventJson.read(r.value(), RenewalDue.class).renewAt()).sorted().toList();
            assertThat(times).hasSize(EACH).allMatch(t -> !t.isBefore(requested) && t.isBefore(requested.plus(SPREAD).plusSeconds(2)));
            assertThat(Duration.between(times.get(0), times.get(EACH - 1))).as("spread, not all at once")
                    .isGreaterThan(SPREAD.dividedBy(2));

            publish(cluster, request);
            await().during(Duration.ofSeconds(SPREAD.toSeconds() + 2)).atMost(Duration.ofSeconds(SPREAD.toSeconds() + 4))
                    .until(() -> java.util.stream.StreamSupport.stream(consumer.poll(Duration.ofMillis(300)).spliterator(), false)
                            .noneMatch(r -> renewed.equals(r.key())));
        }
    }

    private static void publish(LocalCluster cluster, RenewalRequest request) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(cluster.operatorClient(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            producer.send(new ProducerRecord<>(Topics.RENEWAL_REQUESTS, request.requestId(), EventJson.write(request))).get();
        }
    }

    private static KafkaConsumer<String, String> dueConsumer(LocalCluster cluster) {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cluster.operatorClient(ConsumerConfig.GROUP_ID_CONFIG, "due-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class));
        consumer.subscribe(List.of(Topics.RENEWAL_DUE));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            consumer.poll(Duration.ofMillis(100));
            return !consumer.assignment().isEmpty();
        });
        return consumer;
    }

    private static int tracked(LocalCluster cluster, String bot) throws Exception {
        HttpResponse<String> response = cluster.httpClient().send(HttpRequest.newBuilder(cluster.url(Service.RENEWAL)
                .resolve("/v1/identities?bot=" + bot)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? EventJson.MAPPER.readTree(response.body()).size() : -1;
    }
}
