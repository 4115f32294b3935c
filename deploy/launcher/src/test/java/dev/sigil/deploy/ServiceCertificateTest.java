package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.ServiceCertificateRequest;
import dev.sigil.contract.ServiceCertificateResult;
import dev.sigil.contract.Topics;

/** Whoever can write the service-certificate topic still gets no certificate for a name the operator did not allow. */
@ExtendWith(SigilCluster.class)
class ServiceCertificateTest {

    @Test
    void refusesAServerCertificateForANameNotAllowed(LocalCluster cluster) throws Exception {
        String requestId = UUID.randomUUID().toString();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(cluster.operatorClient(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            producer.send(new ProducerRecord<>(Topics.SERVICE_CERTIFICATES, "join-service", EventJson.write(
                    new ServiceCertificateRequest(requestId, "join-service", List.of("localhost", "bank.example"), "unused")))).get();
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cluster.operatorClient(ConsumerConfig.GROUP_ID_CONFIG, "service-cert-check-" + requestId,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            consumer.subscribe(List.of(Topics.SERVICE_CERTIFICATE_RESULTS));
            ServiceCertificateResult[] found = new ServiceCertificateResult[1];
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    ServiceCertificateResult result = EventJson.read(r.value(), ServiceCertificateResult.class);
                    if (requestId.equals(result.requestId())) {
                        found[0] = result;
                    }
                });
                return found[0] != null;
            });
            assertThat(found[0].certificate()).isNull();
            assertThat(found[0].refusal().code()).isEqualTo("NAME_NOT_ALLOWED");
            assertThat(found[0].refusal().message()).contains("bank.example");
        }
    }
}
