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
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.CaBundle;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.IssuedIdentity;
import dev.sigil.contract.ReplyHeaders;
import dev.sigil.contract.Topics;
import dev.sigil.output.output.TestCertificates;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Hostile records on {@code sigil.issue.results} through output-writer's real reader (mock Kafka clients, polled by
 * hand): an answer to a waiting request that cannot be rendered safely is dead-lettered with its reason and ends
 * that wait; records nobody waits for, or that cannot be read at all, are skipped; and a good answer right after
 * still reaches the next request.
 */
class HostileIssueResultsTest {
    private static final TopicPartition RESULTS = new TopicPartition(Topics.ISSUE_RESULTS, 0);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MockProducer<String, String> producer = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
    private final MockConsumer<String, byte[]> results = new MockConsumer<>("latest");
    private IssueRequests issuer;
    private long offset;

    @BeforeEach
    void connect() {
        Node node = new Node(0, "localhost", 9092);
        results.updatePartitions(Topics.ISSUE_RESULTS, List.of(new PartitionInfo(Topics.ISSUE_RESULTS, 0, node, new Node[] { node },
                new Node[] { node })));
        results.updateEndOffsets(Map.of(RESULTS, 0L));
        issuer = new IssueRequests(producer, results, Duration.ofSeconds(20), new RecordFailures(registry));
    }

    @AfterEach
    void close() {
        issuer.close();
    }

    static Stream<Arguments> hostileAnswers() {
        return Stream.<Arguments>of(
                Arguments.of("a login with a newline", (Function<IssueResult, IssueResult>) r -> withLogins(r,
                        List.of("deploy\n    ProxyCommand sh -c evil"))),
                Arguments.of("a login with a comma", (Function<IssueResult, IssueResult>) r -> withLogins(r, List.of("root,admin"))),
                Arguments.of("a second line after the certificate", (Function<IssueResult, IssueResult>) r -> withIdentity(r,
                        id -> new IssuedIdentity(id.instanceId(), 1, TestCertificates.SSH_CERT + "\nssh-ed25519 AAAAEVIL", id.tlsCertificate(),
                                id.serial(), id.roles(), id.principals(), id.validAfter(), id.validBefore(), null))),
                Arguments.of("a CA key followed by another", (Function<IssueResult, IssueResult>) r -> new IssueResult(r.requestId(),
                        r.bot(), r.identity(), r.outputs(), null, new CaBundle("sigil.local", TestCertificates.SSH_CA
                                + "\n@cert-authority * ssh-ed25519 AAAAEVIL", TestCertificates.SSH_CA, TestCertificates.PEM))),
                Arguments.of("text after the PEM", (Function<IssueResult, IssueResult>) r -> withIdentity(r,
                        id -> new IssuedIdentity(id.instanceId(), 1, id.sshCertificate(), id.tlsCertificate() + "Host *\n", id.serial(),
                                id.roles(), id.principals(), id.validAfter(), id.validBefore(), null))),
                Arguments.of("no CA bundle", (Function<IssueResult, IssueResult>) r -> new IssueResult(r.requestId(), r.bot(),
                        r.identity(), r.outputs(), null, null)),
                Arguments.of("another bot's answer", (Function<IssueResult, IssueResult>) r -> new IssueResult(r.requestId(), "other",
                        r.identity(), r.outputs(), null, r.ca())),
                Arguments.of("an instance id with a space", (Function<IssueResult, IssueResult>) r -> withIdentity(r,
                        id -> new IssuedIdentity("a b", 1, id.sshCertificate(), id.tlsCertificate(), id.serial(), id.roles(),
                                id.principals(), id.validAfter(), id.validBefore(), null))),
                Arguments.of("no expiry", (Function<IssueResult, IssueResult>) r -> withIdentity(r,
                        id -> new IssuedIdentity(id.instanceId(), 1, id.sshCertificate(), id.tlsCertificate(), id.serial(), id.roles(),
                                id.principals(), id.validAfter(), null, null))),
                Arguments.of("neither identity nor refusal", (Function<IssueResult, IssueResult>) r -> new IssueResult(r.requestId(),
                        r.bot(), null, null, null, null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileAnswers")
    void aHostileAnswerIsDeadLetteredWithItsReasonAndTheNextAnswerStillArrives(String what,
            Function<IssueResult, IssueResult> spoil) throws Exception {
        IssueRequest request = request();
        CompletableFuture<IssueResult> answer = ask(request);
        String hostile = EventJson.write(spoil.apply(TestCertificates.issued(request, List.of("deploy"))));
        answerWith(request.bot(), hostile);
        issuer.readOnce();

        assertThat(answer).failsWithin(Duration.ofSeconds(20)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(IssueRequests.RejectedAnswer.class);
        ProducerRecord<String, String> parked = producer.history().stream()
                .filter(r -> r.topic().equals(Topics.deadLetter(Topics.ISSUE_RESULTS))).findFirst().orElseThrow();
        assertThat(parked.value()).isEqualTo(hostile);
        assertThat(new String(parked.headers().lastHeader(ReplyHeaders.DEAD_LETTER_REASON).value(), StandardCharsets.UTF_8))
                .contains("cannot be used").doesNotContain("\n");
        assertThat(counted("sigil.records.dead.lettered")).isEqualTo(1);

        assertTheNextAnswerArrives();
    }

    @Test
    void resultsNobodyWaitsForOrNobodyCanReadAreSkippedAndTheReaderGoesOn() throws Exception {
        IssueRequest request = request();
        CompletableFuture<IssueResult> answer = ask(request);
        answerWith(request.bot(), "{\"requestId\":null,\"bot\":\"ci\"}");     // no request id at all
        answerWith(request.bot(), "{not json");
        answerWith(request.bot(), "[" .repeat(3_000));
        answerWith(request.bot(), EventJson.write(IssueResult.refused(UUID.randomUUID().toString(), "ci", null))); // someone else's
        answerWith(null, EventJson.write(TestCertificates.issued(request, List.of("deploy"))));                    // no key
        issuer.readOnce();

        assertThat(answer).isNotDone();
        assertThat(counted("sigil.records.ignored")).isEqualTo(2);
        assertThat(producer.history()).noneMatch(r -> r.topic().equals(Topics.deadLetter(Topics.ISSUE_RESULTS)));

        answerWith(request.bot(), EventJson.write(TestCertificates.issued(request, List.of("deploy"))));
        issuer.readOnce();
        assertThat(answer.get().identity().principals()).containsExactly("deploy");
    }

    private void assertTheNextAnswerArrives() throws Exception {
        IssueRequest request = request();
        CompletableFuture<IssueResult> answer = ask(request);
        answerWith(request.bot(), EventJson.write(TestCertificates.issued(request, List.of("deploy"))));
        issuer.readOnce();
        assertThat(answer.get().identity().principals()).containsExactly("deploy");
    }

    /** Asks on another thread, as a delivery does, and returns once the request is out (and its answer awaited). */
    private CompletableFuture<IssueResult> ask(IssueRequest request) {
        int sent = producer.history().size();
        CompletableFuture<IssueResult> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return issuer.issue(request);
            } catch (Exception e) {
                throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() > sent);
        return answer;
    }

    private void answerWith(String key, String value) {
        results.addRecord(new ConsumerRecord<>(Topics.ISSUE_RESULTS, 0, offset++, key,
                value.getBytes(StandardCharsets.UTF_8)));
    }

    private static IssueRequest request() {
        String id = "d-" + UUID.randomUUID().toString().substring(0, 8);
        return new IssueRequest(UUID.randomUUID().toString(), "ci", new Attestation("delivery", id, null, null), "ssh-ed25519 AAAA",
                null, Instant.now(), null, List.of());
    }

    private static IssueResult withLogins(IssueResult r, List<String> logins) {
        return withIdentity(r, id -> new IssuedIdentity(id.instanceId(), 1, id.sshCertificate(), id.tlsCertificate(), id.serial(),
                id.roles(), logins, id.validAfter(), id.validBefore(), null));
    }

    private static IssueResult withIdentity(IssueResult r, Function<IssuedIdentity, IssuedIdentity> change) {
        return new IssueResult(r.requestId(), r.bot(), change.apply(r.identity()), r.outputs(), null, r.ca());
    }

    private double counted(String name) {
        Counter counter = registry.find(name).tag("topic", Topics.ISSUE_RESULTS).counter();
        return counter == null ? 0 : counter.count();
    }
}
