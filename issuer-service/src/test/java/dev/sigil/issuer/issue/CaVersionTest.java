package dev.sigil.issuer.issue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.BotSpec;
import dev.sigil.contract.CaBundle;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.ReplyHeaders;
import dev.sigil.contract.RequestSignatures;
import dev.sigil.contract.RoleSpec;
import dev.sigil.contract.Topics;
import dev.sigil.issuer.ca.CertificateAuthority;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Issue results name the CA bundle by its version instead of carrying it, and remembered answers keep a digest of the
 * bot's key instead of the key: through the issuer's real topology and CA.
 */
class CaVersionTest {
    @TempDir
    Path dir;

    private CertificateAuthority ca;
    private TopologyTestDriver driver;
    private TestOutputTopic<String, String> results;
    private RequestSignatures.Signer joinService;

    private void start(boolean inlineCaBundle) throws Exception {
        ca = new CertificateAuthority("example.test", dir.resolve("ca"), "default");
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "issuer-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("streams").toString());
        TestBusCa busCa = new TestBusCa(dir.resolve("bus"));
        joinService = busCa.signer("join-service");
        driver = new TopologyTestDriver(new IssueTopology().topology(ca, new SimpleMeterRegistry(), Set.of("localhost"), false,
                IssueTopology.senders(busCa.identity("issuer-service")), inlineCaBundle), config);
        results = driver.createOutputTopic(Topics.ISSUE_RESULTS, new StringDeserializer(), new StringDeserializer());
        put(Topics.ROLES, "access", new RoleSpec("access", List.of("deploy"), null));
        put(Topics.BOTS, "ci", new BotSpec("ci", List.of("access"), Map.of(), Duration.ofHours(1)));
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void aResultNamesTheBundleByItsVersionAndCarriesNoBundle() throws Exception {
        start(false);
        IssueResult issued = ask(join("t1"));

        assertThat(issued.isIssued()).isTrue();
        assertThat(issued.ca()).isNull();
        assertThat(issued.caVersion()).isEqualTo(ca.bundle().version());
    }

    @Test
    void aRememberedAnswerKeepsTheKeysDigestAndNoBundle() throws Exception {
        start(false);
        IssueRequest join = join("t1");
        ask(join);

        String remembered = remembered(join.requestId());
        assertThat(remembered).doesNotContain(join.publicKey()).doesNotContain(join.publicKey().split(" ")[1])
                .contains(AnsweredRequest.sha256(join.publicKey())).doesNotContain("\"ca\":");
    }

    @Test
    void aRetryGetsTheSameCertificatesAndAnotherKeyUnderTheSameIdIsRefused() throws Exception {
        start(false);
        IssueRequest join = join("t1");
        IssueResult issued = ask(join);

        IssueResult retried = ask(join);
        IssueResult otherKey = ask(new IssueRequest(join.requestId(), "ci", join.attestation(), HostileIssueRequestsTest.key(),
                null, Instant.now()));

        assertThat(retried.identity()).isEqualTo(issued.identity());
        assertThat(retried.caVersion()).isEqualTo(issued.caVersion());
        assertThat(otherKey.refusal().message()).contains("already used for another request");
    }

    @Test
    void aRetryAfterARotationGetsTheSameCertificatesNamingTheBundlePublishedNow() throws Exception {
        start(false);
        IssueRequest join = join("t1");
        IssueResult issued = ask(join);
        String before = ca.bundle().version();

        CaBundle init = ca.rotate(CaBundle.INIT);
        put(Topics.CA, CaBundle.KEY, init);
        IssueResult retried = ask(join);

        assertThat(init.version()).isNotEqualTo(before);
        assertThat(retried.identity()).isEqualTo(issued.identity());
        assertThat(retried.caVersion()).isEqualTo(init.version());
        assertThat(ask(join("t2")).caVersion()).isEqualTo(init.version());
    }

    @Test
    void theInlineSwitchWritesTheFormerResultsWithTheWholeBundle() throws Exception {
        start(true);
        IssueRequest join = join("t1");
        IssueResult issued = ask(join);

        assertThat(issued.ca()).isEqualTo(ca.bundle());
        assertThat(issued.caVersion()).isNull();
        assertThat(remembered(join.requestId())).contains(join.publicKey());
        assertThat(ask(join).identity()).isEqualTo(issued.identity());
    }

    @Test
    void anAnswerRememberedWithTheKeyItselfStillAnswersItsRetry() throws Exception {
        IssueRequest join = join("t1");
        IssueResult result = IssueResult.refused(join.requestId(), "ci", null);
        AnsweredRequest former = EventJson.read(EventJson.write(AnsweredRequest.withKey(join, result)), AnsweredRequest.class);
        AnsweredRequest now = EventJson.read(EventJson.write(AnsweredRequest.of(join, result)), AnsweredRequest.class);
        IssueRequest otherKey = new IssueRequest(join.requestId(), "ci", join.attestation(), HostileIssueRequestsTest.key(),
                null, Instant.now());

        assertThat(former.answers(join)).isTrue();
        assertThat(now.answers(join)).isTrue();
        assertThat(former.answers(otherKey)).isFalse();
        assertThat(now.answers(otherKey)).isFalse();
    }

    private String remembered(String requestId) {
        WindowStore<String, String> answers = driver.getWindowStore(IssueTopology.ANSWERS);
        try (KeyValueIterator<Windowed<String>, String> all = answers.all()) {
            while (all.hasNext()) {
                KeyValue<Windowed<String>, String> next = all.next();
                if (next.key.key().equals(requestId)) {
                    return next.value;
                }
            }
        }
        throw new AssertionError("no remembered answer for " + requestId);
    }

    private IssueResult ask(IssueRequest request) {
        String value = EventJson.write(request);
        put(Topics.JOIN_TOKENS, request.attestation().joinToken(), new JoinTokenSpec(request.attestation().joinToken(), "ci",
                "token", null, null, null));
        RecordHeaders headers = new RecordHeaders();
        headers.add(ReplyHeaders.CORRELATION_ID, "corr".getBytes());
        joinService.sign(headers, value);
        driver.createInputTopic(Topics.ISSUE_REQUESTS, new StringSerializer(), new StringSerializer())
                .pipeInput(new TestRecord<>(request.bot(), value, headers));
        List<TestRecord<String, String>> answers = results.readRecordsToList();
        assertThat(answers).hasSize(1);
        assertThat(answers.get(0).headers().lastHeader(ReplyHeaders.CORRELATION_ID).value()).isEqualTo("corr".getBytes());
        assertThat(answers.get(0).headers().lastHeader(RequestSignatures.CERTIFICATE_HEADER)).as("no sender certificate on a result")
                .isNull();
        assertThat(answers.get(0).headers().lastHeader(RequestSignatures.SIGNATURE_HEADER)).isNull();
        return EventJson.read(answers.get(0).value(), IssueResult.class);
    }

    private void put(String topic, String key, Object value) {
        driver.createInputTopic(topic, new StringSerializer(), new StringSerializer()).pipeInput(key, EventJson.write(value));
    }

    private static IssueRequest join(String token) throws Exception {
        return new IssueRequest(UUID.randomUUID().toString(), "ci", new Attestation("token", token, token, null),
                HostileIssueRequestsTest.key(), null, Instant.now());
    }
}
