package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.awaitility.Awaitility.await;

import dev.sigil.contract.Topics;

/** A poison record on an input topic lands on that topic's dead-letter topic, and processing goes on. */
@ExtendWith(SigilCluster.class)
class DeadLetterTest {

    @ParameterizedTest
    @ValueSource(strings = { Topics.ISSUE_REQUESTS, Topics.ISSUE_RESULTS, Topics.JOIN_TOKENS, Topics.DELIVERIES,
            Topics.RENEWAL_REQUESTS, Topics.SERVICE_CERTIFICATES })
    void poisonRecordIsDeadLetteredAndTheNextJoinStillWorks(String topic, LocalCluster cluster) throws Exception {
        String marker = "poison-" + UUID.randomUUID();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(cluster.operatorClient(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            producer.send(new ProducerRecord<>(topic, marker, "{this is not " + marker)).get();
        }

        List<ConsumerRecord<String, String>> parked = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cluster.operatorClient(ConsumerConfig.GROUP_ID_CONFIG, "dlq-check-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            consumer.subscribe(List.of(Topics.deadLetter(topic)));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(parked::add);
                return parked.stream().anyMatch(r -> marker.equals(r.key()));
            });
        }
        ConsumerRecord<String, String> record = parked.stream().filter(r -> marker.equals(r.key())).findFirst().orElseThrow();
        assertThat(record.value()).isEqualTo("{this is not " + marker);
        assertThat(record.headers().toArray()).as("the dead letter says why").isNotEmpty();

        String bot = Bots.newBot(cluster, List.of("deploy"));
        assertThat(Bots.join(cluster, Bots.admin(cluster).createToken(bot, "10m"), Bots.newPublicKey()).status()).isEqualTo(200);
    }

}
