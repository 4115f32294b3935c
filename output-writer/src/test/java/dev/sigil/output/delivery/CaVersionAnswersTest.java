package dev.sigil.output.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.CaBundle;
import dev.sigil.contract.CaBundles;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.Topics;
import dev.sigil.output.output.TestCertificates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Issue results that name their CA bundle by version, through output-writer's real reader (mock Kafka clients): the
 * delivery gets the bundle of that version from the writer's view of {@code sigil.ca}, the one a rotation published
 * included, waits while the view lags, and never gets another bundle or none.
 */
class CaVersionAnswersTest {
    private static final TopicPartition RESULTS = new TopicPartition(Topics.ISSUE_RESULTS, 0);
    private static final String NEXT_SSH_CA = "ssh-ed25519 " + java.util.Base64.getEncoder().encodeToString("the next CA key".getBytes());
    private static final CaBundle ROTATING = new CaBundle("sigil.local", TestCertificates.SSH_CA, TestCertificates.SSH_CA,
            TestCertificates.PEM, CaBundle.INIT, 1, 2, List.of(TestCertificates.SSH_CA, NEXT_SSH_CA),
            List.of(TestCertificates.SSH_CA), List.of(TestCertificates.PEM, TestCertificates.selfSigned("next")));

    private final MockProducer<String, String> producer = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
    private final MockConsumer<String, byte[]> results = new MockConsumer<>("latest");
    private final CaBundles bundles = new CaBundles();
    private IssueRequests issuer;
    private long offset;

    @BeforeEach
    void connect() {
        Node node = new Node(0, "localhost", 9092);
        results.updatePartitions(Topics.ISSUE_RESULTS, List.of(new PartitionInfo(Topics.ISSUE_RESULTS, 0, node, new Node[] { node },
                new Node[] { node })));
        results.updateEndOffsets(Map.of(RESULTS, 0L));
        issuer = new IssueRequests(producer, results, Duration.ofSeconds(20), new RecordFailures(new SimpleMeterRegistry()), bundles);
    }

    @AfterEach
    void close() {
        issuer.close();
    }

    @Test
    void aResultNamingARotationsBundleIsAnsweredWithThatBundle() throws Exception {
        bundles.add(TestCertificates.CA);
        bundles.add(ROTATING);
        IssueRequest request = request();
        CompletableFuture<IssueResult> answer = ask(request);

        answerWith(request.bot(), TestCertificates.issued(request, List.of("deploy")).withCaVersion(ROTATING.version()));
        issuer.readOnce();

        assertThat(answer.get().ca()).isEqualTo(ROTATING);
        assertThat(answer.get().ca().trustedTlsCas()).hasSize(2);
    }

    @Test
    void aResultNamingABundleNotReadYetWaitsForIt() throws Exception {
        bundles.add(TestCertificates.CA);
        IssueRequest request = request();
        CompletableFuture<IssueResult> answer = ask(request);
        answerWith(request.bot(), TestCertificates.issued(request, List.of("deploy")).withCaVersion(ROTATING.version()));
        issuer.readOnce();
        assertThat(answer).isNotDone();

        bundles.add(ROTATING);

        assertThat(answer.get().ca()).isEqualTo(ROTATING);
    }

    @Test
    void aResultNamingABundleThatNeverComesFailsTheDeliveryForNowAndNothingIsWritten() throws Exception {
        bundles.add(TestCertificates.CA);
        IssueRequest request = request();
        CompletableFuture<IssueResult> answer = ask(request);
        answerWith(request.bot(), TestCertificates.issued(request, List.of("deploy")).withCaVersion("00000000000000000000000000000000"));
        issuer.readOnce();

        assertThat(answer).failsWithin(IssueRequests.CA_CATCH_UP.plusSeconds(10))
                .withThrowableThat().havingRootCause().isInstanceOf(TimeoutException.class)
                .withMessageContaining("00000000000000000000000000000000");
    }

    @Test
    void aResultCarryingItsBundleIsUsedAsItIs() throws Exception {
        IssueRequest request = request();
        CompletableFuture<IssueResult> answer = ask(request);
        answerWith(request.bot(), TestCertificates.issued(request, List.of("deploy")));
        issuer.readOnce();

        assertThat(answer.get().ca()).isEqualTo(TestCertificates.CA);
    }

    private CompletableFuture<IssueResult> ask(IssueRequest request) {
        int sent = producer.history().size();
        CompletableFuture<IssueResult> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return issuer.issue(request);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() > sent);
        return answer;
    }

    private void answerWith(String key, IssueResult result) {
        results.addRecord(new ConsumerRecord<>(Topics.ISSUE_RESULTS, 0, offset++, key,
                EventJson.write(result).getBytes(StandardCharsets.UTF_8)));
    }

    private static IssueRequest request() {
        String id = "d-" + UUID.randomUUID().toString().substring(0, 8);
        return new IssueRequest(UUID.randomUUID().toString(), "ci", new Attestation("delivery", id, null, null), "ssh-ed25519 AAAA",
                null, Instant.now(), null, List.of());
    }
}
