package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.RequestSignatures;
import dev.sigil.contract.TopicReader;
import dev.sigil.contract.Topics;

/**
 * The issuer's half of the bus attack matrix (issue 12, item 4): with a real Kafka credential allowed to write
 * {@code sigil.issue.requests}, a request that is unsigned, signed under another CA, signed by a service not
 * entitled to ask, or a node's writer asking for another node's delivery, is refused and audited; so is a join
 * naming a join token that does not exist. The control, the delivery's own node writer, is issued. Prints how many
 * were tried, refused and got through (must be 0).
 */
@ExtendWith(SigilCluster.class)
class ForgedIssueRequestsTest {
    @TempDir
    Path dir;

    @Test
    void aKafkaCredentialAloneMintsNothing(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String delivery = bot + "-on-node-a";
        Bots.admin(cluster).post("/v1/admin/deliveries", Map.of("id", delivery, "bot", bot, "output", Map.of("kind", "identity"),
                "destination", Map.of("type", "directory", "path", dir.resolve("out").toString()), "ttl", "10m",
                "node", "node-a"));
        RequestSignatures.Signer stranger = RequestSignatures.Signer.fromDirectory(
                new BusCa(dir.resolve("other-ca")).identity("join-service"));
        Attestation deliveryProof = new Attestation(Attestation.DELIVERY, delivery, null, null);
        Attestation madeUpToken = new Attestation("token", "no-such-token", "no-such-token", null);

        Map<String, Attempt> attempts = new LinkedHashMap<>();
        attempts.put("unsigned, with join-service's Kafka credential", new Attempt(madeUpToken, null));
        attempts.put("signed under another CA as join-service", new Attempt(madeUpToken, stranger));
        attempts.put("signed by renewal-service", new Attempt(madeUpToken, signer(cluster, "renewal-service")));
        attempts.put("join-service asking for a delivery", new Attempt(deliveryProof, signer(cluster, "join-service")));
        attempts.put("node-b's writer asking for node-a's delivery", new Attempt(deliveryProof,
                RequestSignatures.Signer.fromDirectory(cluster.nodeWriterIdentity("node-b"))));
        attempts.put("join-service vouching for a join token that does not exist", new Attempt(madeUpToken,
                signer(cluster, "join-service")));

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(cluster.kafkaClient("join-service"),
                new StringSerializer(), new StringSerializer());
                KafkaConsumer<String, String> results = new KafkaConsumer<>(readCommitted(cluster), new StringDeserializer(),
                        new StringDeserializer())) {
            TopicReader.followFromNow(results, Topics.ISSUE_RESULTS);
            Map<String, String> sent = new LinkedHashMap<>();
            attempts.forEach((what, attempt) -> sent.put(send(producer, bot, attempt), what));
            Map<String, IssueResult> answers = await(results, sent.keySet());

            List<String> through = new ArrayList<>();
            int refused = 0;
            for (Map.Entry<String, String> request : sent.entrySet()) {
                IssueResult answer = answers.get(request.getKey());
                if (answer.isIssued()) {
                    through.add(request.getValue());
                } else {
                    refused++;
                    assertThat(answer.refusal().code()).as(request.getValue())
                            .isIn(Refusal.SENDER_NOT_TRUSTED, Refusal.TOKEN_NOT_FOUND);
                }
            }
            System.out.printf("forged issue requests: tried %d, refused %d, got through %d%n", sent.size(), refused,
                    through.size());
            assertThat(through).as("requests that got certificates").isEmpty();
            assertThat(Bots.records(cluster, Topics.AUDIT, bot)).as("refusals audited")
                    .filteredOn(line -> line.contains(Refusal.SENDER_NOT_TRUSTED)).hasSizeGreaterThanOrEqualTo(5);

            // The control: node-a's own writer gets the delivery's certificates once the issuer has the delivery.
            RequestSignatures.Signer nodeA = RequestSignatures.Signer.fromDirectory(cluster.nodeWriterIdentity("node-a"));
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                String id = send(producer, bot, new Attempt(deliveryProof, nodeA));
                return await(results, List.of(id)).get(id).isIssued();
            });
        }
    }

    private record Attempt(Attestation attestation, RequestSignatures.Signer signer) {
    }

    private static RequestSignatures.Signer signer(LocalCluster cluster, String principal) {
        return RequestSignatures.Signer.fromDirectory(cluster.busIdentity(principal));
    }

    private static String send(KafkaProducer<String, String> producer, String bot, Attempt attempt) {
        String id = UUID.randomUUID().toString();
        String value = EventJson.write(new IssueRequest(id, bot, attempt.attestation(), Bots.newPublicKey(), null, Instant.now()));
        ProducerRecord<String, String> record = new ProducerRecord<>(Topics.ISSUE_REQUESTS, bot, value);
        if (attempt.signer() != null) {
            attempt.signer().sign(record.headers(), value);
        }
        producer.send(record);
        producer.flush();
        return id;
    }

    private static Map<String, IssueResult> await(KafkaConsumer<String, String> results, java.util.Collection<String> ids) {
        Map<String, IssueResult> answers = new LinkedHashMap<>();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (ConsumerRecord<String, String> record : results.poll(Duration.ofMillis(200))) {
                IssueResult result = EventJson.read(record.value(), IssueResult.class);
                if (ids.contains(result.requestId())) {
                    answers.put(result.requestId(), result);
                }
            }
            return answers.keySet().containsAll(ids);
        });
        return answers;
    }

    private static Map<String, Object> readCommitted(LocalCluster cluster) {
        Map<String, Object> client = new java.util.HashMap<>(cluster.kafkaClient());
        client.put("isolation.level", "read_committed");
        return client;
    }
}
