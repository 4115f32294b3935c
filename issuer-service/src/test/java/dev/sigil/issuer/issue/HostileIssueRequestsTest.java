package dev.sigil.issuer.issue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.BotInstance;
import dev.sigil.contract.BotSpec;
import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.IssuedIdentity;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.LeafClusterSpec;
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.OutputRequest;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.ReplyHeaders;
import dev.sigil.contract.RequestSignatures;
import dev.sigil.contract.RoleSpec;
import dev.sigil.contract.Topics;
import dev.sigil.issuer.ca.CaKeyStore;
import dev.sigil.issuer.ca.CertificateAuthority;
import dev.sigil.issuer.ca.SshPublicKeys;
import dev.sigil.issuer.policy.Grant;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The issuer's stream against hostile issue requests, through its real topology and CA: each one is answered with a
 * refusal or dead-lettered with a reason, and a good request right after is still issued.
 */
class HostileIssueRequestsTest {
    @TempDir
    Path dir;

    private final AtomicBoolean failNextSigning = new AtomicBoolean();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> requests;
    private TestOutputTopic<String, String> results;
    private TestOutputTopic<String, String> deadLetters;
    private TestBusCa busCa;
    private RequestSignatures.Signer joinService;

    @BeforeEach
    void start() throws Exception {
        CertificateAuthority ca = new CertificateAuthority("example.test", dir.resolve("ca"), "default") {
            @Override
            public IssuedIdentity issue(String bot, SshPublicKeys subject, Grant grant, BotInstance instance, Instant now) {
                if (failNextSigning.getAndSet(false)) {
                    throw new IllegalStateException("signing failed");
                }
                return super.issue(bot, subject, grant, instance, now);
            }
        };
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "issuer-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("streams").toString());
        config.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, SkipFailedRecord.class.getName());
        busCa = new TestBusCa(dir.resolve("bus"));
        joinService = busCa.signer("join-service");
        driver = new TopologyTestDriver(new IssueTopology().topology(ca, metrics, Set.of("localhost"), false,
                IssueTopology.senders(busCa.identity("issuer-service"))), config);
        requests = driver.createInputTopic(Topics.ISSUE_REQUESTS, new StringSerializer(), new StringSerializer());
        results = driver.createOutputTopic(Topics.ISSUE_RESULTS, new StringDeserializer(), new StringDeserializer());
        deadLetters = driver.createOutputTopic(Topics.deadLetter(Topics.ISSUE_REQUESTS), new StringDeserializer(),
                new StringDeserializer());
        put(Topics.ROLES, "access", new RoleSpec("access", List.of("deploy"), null, List.of("pg-*"), List.of("*"),
                null, null, null, null, false, null, List.of("/svc/*")));
        put(Topics.BOTS, "ci", new BotSpec("ci", List.of("access"), Map.of(), Duration.ofHours(1)));
        put(Topics.BOTS, "other", new BotSpec("other", List.of("access"), Map.of(), Duration.ofHours(1)));
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void aSpiffePathWithASpaceIsRefusedAndTheNextJoinIsIssued() throws Exception {
        IssueResult refused = ask(join("ci", "t1", output("w", OutputRequest.WORKLOAD_IDENTITY, null, "/svc/a b")));

        assertThat(refused.refusal().code()).isEqualTo(Refusal.MALFORMED_REQUEST);
        assertThat(refused.refusal().message()).contains("SPIFFE path '/svc/a b' is not valid");
        assertThat(ask(join("ci", "t2", output("w", OutputRequest.WORKLOAD_IDENTITY, null, "/svc/a"))).isIssued()).isTrue();
    }

    @Test
    void aDatabaseUserReadAsHexDerIsRefusedAndTheNextJoinIsIssued() throws Exception {
        IssueResult refused = ask(join("ci", "t1", output("db", OutputRequest.DATABASE, "#300000", null)));

        assertThat(refused.refusal().code()).isEqualTo(Refusal.MALFORMED_REQUEST);
        assertThat(refused.refusal().message()).contains("database user '#300000' is not valid");
        assertThat(ask(join("ci", "t2", output("db", OutputRequest.DATABASE, "reader", null))).isIssued()).isTrue();
    }

    @Test
    void moreThanSixteenOutputsAreRefusedBeforeAnythingIsSigned() throws Exception {
        OutputRequest[] outputs = new OutputRequest[17];
        for (int i = 0; i < outputs.length; i++) {
            outputs[i] = output("o" + i, OutputRequest.IDENTITY, null, null);
        }
        IssueResult refused = ask(join("ci", "t1", outputs));

        assertThat(refused.refusal().code()).isEqualTo(Refusal.MALFORMED_REQUEST);
        assertThat(refused.refusal().message()).contains("17 outputs").contains("limit is 16");
    }

    @Test
    void unreadableRequestsAreDeadLetteredWithTheirReasonAndCounted() throws Exception {
        List<String> hostile = List.of("", "[]", "null", "{\"requestId\":", "{\"requestId\":{\"a\":1},\"bot\":[]}",
                new String(new byte[] {(byte) 0xff, 0, 1, 2}, StandardCharsets.ISO_8859_1),
                "{\"requestId\":\"r\\nx\",\"bot\":\"ci\"}", "{\"bot\":\"ci\",\"attestation\":{}}");
        hostile.forEach(value -> requests.pipeInput(new TestRecord<>("ci", value, joinService.sign(replyHeaders(), value))));

        List<TestRecord<String, String>> parked = deadLetters.readRecordsToList();
        assertThat(parked).hasSize(hostile.size()).allSatisfy(r -> assertThat(r.headers()
                .lastHeader(ReplyHeaders.DEAD_LETTER_REASON)).isNotNull());
        assertThat(metrics.counter("sigil.records.dead.lettered", "topic", Topics.ISSUE_REQUESTS).count())
                .isEqualTo(hostile.size());
        assertThat(ask(join("ci", "t1")).isIssued()).isTrue();
    }

    @Test
    void hostileValuesInEveryFieldAreAnsweredNeverFatal() throws Exception {
        List<String> values = List.of("", " ", "#300000", "a\nb", "root,admin", "\u202e", "x".repeat(70_000), "../..", "/svc/a b");
        int answered = 0;
        for (String v : values) {
            List<IssueRequest> variants = List.of(
                    new IssueRequest(id(), "ci", new Attestation(v, v, null, null), v, null, Instant.now()),
                    join("ci", v),
                    join("ci", "t", new OutputRequest(v, v, List.of(v), v, v, v, v, v, v, List.of(v), v, v)),
                    join("ci", "t", new OutputRequest(v, OutputRequest.SSH_HOST, null, key(), null, null, null, null, null,
                            List.of(v), null, null)));
            for (IssueRequest request : variants) {
                IssueResult result = ask(request);
                assertThat(result.requestId()).isEqualTo(request.requestId());
                answered++;
            }
        }
        assertThat(answered).isEqualTo(values.size() * 4);
        assertThat(ask(join("ci", "after")).isIssued()).isTrue();
    }

    @Test
    void aPlatformTokenJoinsOnceAcrossAllBotsAndARetryGetsTheSameCertificates() throws Exception {
        IssueRequest first = platformJoin("ci", "jwt:0123abcd");
        IssueResult issued = ask(first);
        assertThat(issued.isIssued()).isTrue();

        IssueResult otherBot = ask(platformJoin("other", "jwt:0123abcd"));
        assertThat(otherBot.refusal().code()).isEqualTo(Refusal.JWT_REPLAYED);
        IssueResult sameBotAgain = ask(platformJoin("ci", "jwt:0123abcd"));
        assertThat(sameBotAgain.refusal().code()).isEqualTo(Refusal.JWT_REPLAYED);

        IssueResult retried = ask(first);
        assertThat(retried.identity().serial()).isEqualTo(issued.identity().serial());
    }

    @Test
    void aFailureWhileSigningIsAnsweredAndTheNextRequestIsIssued() throws Exception {
        failNextSigning.set(true);
        IssueResult failed = ask(join("ci", "t1"));

        assertThat(failed.refusal().code()).isEqualTo(Refusal.ISSUANCE_FAILED);
        assertThat(failed.refusal().message()).contains("nothing was issued");
        assertThat(metrics.counter("sigil.records.failed", "stage", IssueProcessor.STAGE, "exception",
                "IllegalStateException").count()).isEqualTo(1);
        assertThat(ask(join("ci", "t2")).isIssued()).isTrue();
    }

    @Test
    void aLockOnADeliveryInstanceHoldsForTheDelivery() throws Exception {
        put(Topics.DELIVERIES, "d1", new DeliverySpec("d1", "ci", OutputRequest.IDENTITY,
                new DeliverySpec.Destination(DeliverySpec.Destination.DIRECTORY, "/tmp/d1")));
        IssueRequest delivery = new IssueRequest(id(), "ci", new Attestation(Attestation.DELIVERY, "d1", null, null), key(),
                null, Instant.now());
        assertThat(ask(delivery).isIssued()).isTrue();

        String target = LockSpec.instance(Attestation.deliveryInstance("d1"));
        put(Topics.LOCKS, target, new LockSpec(target, "compromised runner", null));
        IssueResult locked = ask(new IssueRequest(id(), "ci", delivery.attestation(), key(), null, Instant.now()));

        assertThat(locked.refusal().code()).isEqualTo(Refusal.LOCKED);
        assertThat(locked.refusal().message()).contains(target).contains("compromised runner");
    }

    @Test
    void anUnreadableLockRecordStillLocks() throws Exception {
        driver.createInputTopic(Topics.LOCKS, new StringSerializer(), new StringSerializer())
                .pipeInput(LockSpec.bot("ci"), "{not json");

        IssueResult locked = ask(join("ci", "t1"));

        assertThat(locked.refusal().code()).isEqualTo(Refusal.LOCKED);
        assertThat(locked.refusal().message()).contains("unreadable");
    }

    @Test
    void loginsFromTraitsThatBreakTheLoginGrammarAreRefused() throws Exception {
        put(Topics.ROLES, "templated", new RoleSpec("templated", List.of("{{internal.logins}}"), null));
        put(Topics.BOTS, "ci", new BotSpec("ci", List.of("templated"), Map.of("logins", List.of("root,admin")),
                Duration.ofHours(1)));

        IssueResult refused = ask(join("ci", "t1"));

        assertThat(refused.refusal().code()).isEqualTo(Refusal.NAME_NOT_ALLOWED);
        assertThat(refused.refusal().message()).contains("login 'root,admin' is not valid");
    }

    @Test
    void aRoleNameWrittenStraightToKafkaThatBreaksItsGrammarNeverReachesACertificate() throws Exception {
        put(Topics.ROLES, "root,admin", new RoleSpec("root,admin", List.of("deploy"), null));
        put(Topics.BOTS, "ci", new BotSpec("ci", List.of("root,admin"), Map.of(), Duration.ofHours(1)));

        IssueResult refused = ask(join("ci", "t1"));

        assertThat(refused.refusal().code()).isEqualTo(Refusal.NAME_NOT_ALLOWED);
        assertThat(refused.refusal().message()).contains("name 'root,admin' is not valid");
    }

    @Test
    void aLeafClusterWhoseHostCaIsNotOneKeyLineGetsNoOutput() throws Exception {
        String hostCa = key();
        put(Topics.LEAF_CLUSTERS, "leaf", new LeafClusterSpec("leaf", hostCa + "\n@cert-authority * " + hostCa));
        OutputRequest routed = new OutputRequest("leaf-ssh", OutputRequest.IDENTITY, null, key(), null, null, null, null, null,
                null, null, "leaf");

        IssueResult refused = ask(join("ci", "t1", routed));

        assertThat(refused.refusal().code()).isEqualTo(Refusal.UNKNOWN_CLUSTER);
        assertThat(refused.refusal().message()).contains("not one OpenSSH public key line");
    }

    @Test
    void unsignedForgedAndForeignRequestsAreRefusedAndAudited() throws Exception {
        TestOutputTopic<String, String> audit = driver.createOutputTopic(Topics.AUDIT, new StringDeserializer(),
                new StringDeserializer());
        TestBusCa otherCa = new TestBusCa(dir.resolve("other-bus"));
        RequestSignatures.Signer forger = otherCa.signer("join-service");
        IssueRequest join = join("ci", "t1");

        List<IssueResult> refused = List.of(ask(join, null), ask(join("ci", "t2"), forger),
                ask(join("ci", "t3"), busCa.signer("renewal-service")), ask(join("ci", "t4"), busCa.signer("output-writer")));

        assertThat(refused).allSatisfy(r -> assertThat(r.refusal().code()).isEqualTo(Refusal.SENDER_NOT_TRUSTED));
        assertThat(refused.get(0).refusal().message()).contains("not signed");
        assertThat(refused.get(1).refusal().message()).contains("Sigil's bus CA");
        assertThat(refused.get(2).refusal().message()).contains("'renewal-service' is not a sender");
        assertThat(refused.get(3).refusal().message()).contains("output-writer may ask only for deliveries");
        assertThat(audit.readValuesToList()).filteredOn(line -> line.contains(Refusal.SENDER_NOT_TRUSTED)).hasSize(4);
        assertThat(ask(join).isIssued()).isTrue();
    }

    @Test
    void aSignatureOverOtherBytesDoesNotVerify() throws Exception {
        IssueRequest join = join("ci", "t1");
        Headers headers = joinService.sign(replyHeaders(), EventJson.write(join("ci", "t2")));
        requests.pipeInput(new TestRecord<>("ci", EventJson.write(join), headers));

        IssueResult refused = EventJson.read(results.readRecordsToList().get(0).value(), IssueResult.class);

        assertThat(refused.refusal().code()).isEqualTo(Refusal.SENDER_NOT_TRUSTED);
        assertThat(refused.refusal().message()).contains("signature does not verify");
    }

    @Test
    void aNodesWriterGetsOnlyItsOwnNodesDeliveries() throws Exception {
        put(Topics.DELIVERIES, "on-a", new DeliverySpec("on-a", "ci", new OutputRequest(OutputRequest.IDENTITY,
                OutputRequest.IDENTITY, null, null, null, null, null, null, null, null, null, null), null, null,
                new DeliverySpec.Destination(DeliverySpec.Destination.DIRECTORY, "/tmp/a"), null, "node-a"));
        IssueRequest delivery = new IssueRequest(id(), "ci", new Attestation(Attestation.DELIVERY, "on-a", null, null), key(),
                null, Instant.now());

        IssueResult byOtherNode = ask(delivery, busCa.signer("output-writer-node-node-b"));
        IssueResult byClusterWriter = ask(new IssueRequest(id(), "ci", delivery.attestation(), key(), null, Instant.now()),
                busCa.signer("output-writer"));
        IssueResult byJoinService = ask(new IssueRequest(id(), "ci", delivery.attestation(), key(), null, Instant.now()),
                joinService);
        IssueResult byItsNode = ask(new IssueRequest(id(), "ci", delivery.attestation(), key(), null, Instant.now()),
                busCa.signer("output-writer-node-node-a"));

        assertThat(byOtherNode.refusal().message()).contains("belongs to node node-a");
        assertThat(byClusterWriter.refusal().code()).isEqualTo(Refusal.SENDER_NOT_TRUSTED);
        assertThat(byJoinService.refusal().message()).contains("join-service may not ask for a delivery");
        assertThat(byItsNode.isIssued()).isTrue();
    }

    @Test
    void aJoinNamingAnotherBotsJoinTokenIsRefused() throws Exception {
        put(Topics.JOIN_TOKENS, "theirs", new JoinTokenSpec("theirs", "other", "token", null, null, null));
        IssueRequest join = new IssueRequest(id(), "ci", new Attestation("token", "theirs", "theirs", null), key(), null,
                Instant.now());
        Headers headers = joinService.sign(replyHeaders(), EventJson.write(join));
        requests.pipeInput(new TestRecord<>("ci", EventJson.write(join), headers));

        IssueResult refused = EventJson.read(results.readRecordsToList().get(0).value(), IssueResult.class);

        assertThat(refused.refusal().code()).isEqualTo(Refusal.TOKEN_NOT_FOUND);
    }

    private IssueResult ask(IssueRequest request) throws Exception {
        return ask(request, Attestation.DELIVERY.equals(request.attestation() == null ? null : request.attestation().joinMethod())
                ? busCa.signer("output-writer") : joinService);
    }

    /** Sends a request as the holder of {@code signer}'s key (null: unsigned) and reads the one answer. */
    private IssueResult ask(IssueRequest request, RequestSignatures.Signer signer) {
        String value = EventJson.write(request);
        if (request.attestation() != null && request.attestation().joinToken() != null
                && !Attestation.DELIVERY.equals(request.attestation().joinMethod())) {
            put(Topics.JOIN_TOKENS, request.attestation().joinToken(), new JoinTokenSpec(request.attestation().joinToken(),
                    request.bot(), request.attestation().joinMethod(), null, null, null));
        }
        Headers headers = replyHeaders();
        if (signer != null) {
            signer.sign(headers, value);
        }
        requests.pipeInput(new TestRecord<>(request.bot(), value, headers));
        List<TestRecord<String, String>> answers = results.readRecordsToList();
        assertThat(answers).as("one answer to request %s", request.requestId()).hasSize(1);
        TestRecord<String, String> answer = answers.get(0);
        assertThat(answer.headers().lastHeader(ReplyHeaders.CORRELATION_ID).value()).isEqualTo("corr".getBytes());
        assertThat(answer.headers().lastHeader(ReplyHeaders.TOPIC)).isNull();
        return EventJson.read(answer.value(), IssueResult.class);
    }

    private static Headers replyHeaders() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(ReplyHeaders.CORRELATION_ID, "corr".getBytes());
        headers.add(ReplyHeaders.TOPIC, Topics.ISSUE_RESULTS.getBytes());
        return headers;
    }

    private void put(String topic, String key, Object value) {
        driver.createInputTopic(topic, new StringSerializer(), new StringSerializer()).pipeInput(key, EventJson.write(value));
    }

    private static IssueRequest join(String bot, String token, OutputRequest... outputs) throws Exception {
        return new IssueRequest(id(), bot, new Attestation("token", token, token, null), key(), null,
                Instant.now(), null, List.of(outputs));
    }

    private static IssueRequest platformJoin(String bot, String proof) throws Exception {
        return new IssueRequest(id(), bot, new Attestation("github", "gh-" + bot, proof, Instant.now().plusSeconds(300)),
                key(), null, Instant.now());
    }

    private static OutputRequest output(String name, String kind, String databaseUser, String spiffePath) throws Exception {
        return new OutputRequest(name, kind, null, key(), null, databaseUser == null ? null : "pg-main", databaseUser, null,
                null, null, spiffePath, null);
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    static String key() throws Exception {
        var pair = KeyPairGenerator.getInstance("Ed25519", CaKeyStore.PROVIDER).generateKeyPair();
        var params = (Ed25519PublicKeyParameters) PublicKeyFactory.createKey(pair.getPublic().getEncoded());
        return "ssh-ed25519 " + Base64.getEncoder().encodeToString(OpenSSHPublicKeyUtil.encodePublicKey(params));
    }

}
