package dev.sigil.output.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.ReplyHeaders;
import dev.sigil.contract.Topics;
import dev.sigil.output.output.IdentityOutput;
import dev.sigil.output.output.TestCertificates;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Hostile records on {@code sigil.deliveries} and {@code sigil.renewal.due} through the real delivery loop (mock
 * Kafka clients, polled by hand; the issuer a stand-in): each hostile delivery lands on {@code sigil.deliveries.dlq}
 * with its reason, is counted, is never held or written, and a good delivery right after is written.
 */
class HostileDeliveriesTest {
    private static final TopicPartition PARTITION = new TopicPartition(Topics.DELIVERIES, 0);
    /**
     * Stands for the test's own directory in the hostile deliveries: were a check ever lost, what it let through
     * would be written there, not to a real /etc.
     */
    private static final String ROOT = "%ROOT%";

    @TempDir
    Path root;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MockConsumer<String, String> deliveries = new MockConsumer<>("earliest");
    private final MockConsumer<String, String> due = new MockConsumer<>("latest");
    private final MockProducer<String, String> producer = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
    private final List<IssueRequest> asked = new CopyOnWriteArrayList<>();
    private DeliveryService service;
    private long offset;

    @BeforeEach
    void connect() {
        service = new DeliveryService();
        service.node = Optional.empty();
        Issuer issuer = new Issuer() {
            @Override
            public IssueResult issue(IssueRequest request) {
                asked.add(request);
                return TestCertificates.issued(request, List.of("deploy"));
            }

            @Override
            public void close() {
            }
        };
        service.connect(issuer, deliveries, due, producer, new RecordFailures(registry));
        deliveries.updateBeginningOffsets(Map.of(PARTITION, 0L));
        deliveries.rebalance(List.of(PARTITION));
        due.assign(List.of(new TopicPartition(Topics.RENEWAL_DUE, 0)));
        due.updateBeginningOffsets(Map.of(new TopicPartition(Topics.RENEWAL_DUE, 0), 0L));
        due.seek(new TopicPartition(Topics.RENEWAL_DUE, 0), 0);
    }

    @AfterEach
    void stop() {
        service.stop(null);
    }

    static Stream<Arguments> hostileDeliveries() {
        byte[] noise = new byte[300];
        new Random(13).nextBytes(noise);
        return Stream.of(
                Arguments.of("random bytes", "d-1", new String(noise, StandardCharsets.ISO_8859_1)),
                Arguments.of("JSON null", "d-1", "null"),
                Arguments.of("wrong JSON types", "d-1", "{\"id\":5,\"bot\":{},\"output\":\"x\",\"destination\":[1]}"),
                Arguments.of("missing fields", "d-1", "{\"id\":\"d-1\"}"),
                Arguments.of("an unknown output kind", "d-1", delivery("d-1", "ci", "{\"kind\":\"telepathy\"}", directory(ROOT + "/x"))),
                Arguments.of("no output kind", "d-1", delivery("d-1", "ci", "{}", directory(ROOT + "/x"))),
                Arguments.of("a path out of its jobs directory", "d-1", delivery("d-1", "ci", identity(),
                        directory(ROOT + "/jobs/../escaped"))),
                Arguments.of("a relative path", "d-1", delivery("d-1", "ci", identity(), directory("target/hostile-deliveries/1"))),
                Arguments.of("a newline in the path", "d-1", delivery("d-1", "ci", identity(), directory(ROOT + "/a\\nb"))),
                Arguments.of("a quote in the path", "d-1", delivery("d-1", "ci", identity(), directory(ROOT + "/a\\\"b"))),
                Arguments.of("no path", "d-1", delivery("d-1", "ci", identity(), "{\"type\":\"directory\"}")),
                Arguments.of("a bot with a newline", "d-1", delivery("d-1", "ci\\nHost *", identity(), directory(ROOT + "/x"))),
                Arguments.of("an id that is not a name", "../d", delivery("../d", "ci", identity(), directory(ROOT + "/x"))),
                Arguments.of("a key that is not its id", "other", delivery("d-1", "ci", identity(), directory(ROOT + "/x"))),
                Arguments.of("a reader list smuggled into one", "d-1", delivery("d-1", "ci", identity(),
                        "{\"type\":\"directory\",\"path\":\"" + ROOT + "/x\",\"readers\":[\"user:root,group:wheel\"]}")),
                Arguments.of("a Secret name that is no name", "d-1", delivery("d-1", "ci", identity(),
                        "{\"type\":\"kubernetes_secret\",\"name\":\"a/../b\"}")),
                Arguments.of("a Secret name Kubernetes would refuse", "d-1", delivery("d-1", "ci", identity(),
                        "{\"type\":\"kubernetes_secret\",\"name\":\"Creds\"}")),
                Arguments.of("a namespace Kubernetes would refuse", "d-1", delivery("d-1", "ci", identity(),
                        "{\"type\":\"kubernetes_secret\",\"name\":\"creds\",\"namespace\":\"ci.prod\"}")),
                Arguments.of("a reader setfacl would refuse", "d-1", delivery("d-1", "ci", identity(),
                        "{\"type\":\"directory\",\"path\":\"" + ROOT + "/x\",\"readers\":[\"user:Deploy\"]}")),
                Arguments.of("an unknown destination type", "d-1", delivery("d-1", "ci", identity(), "{\"type\":\"ftp\",\"path\":\"" + ROOT + "/x\"}")),
                Arguments.of("a hex-looking database user", "d-1", delivery("d-1", "ci",
                        "{\"kind\":\"database\",\"databaseService\":\"pg\",\"databaseUser\":\"#300000\"}", directory(ROOT + "/x"))),
                Arguments.of("a SPIFFE path with a space", "d-1", delivery("d-1", "ci",
                        "{\"kind\":\"workload-identity-x509\",\"spiffePath\":\"/svc/a b\"}", directory(ROOT + "/x"))),
                Arguments.of("a host name with a newline", "d-1", delivery("d-1", "ci",
                        "{\"kind\":\"ssh_host\",\"hostNames\":[\"a.example\\nb\"]}", directory(ROOT + "/x"))),
                Arguments.of("an unknown database format", "d-1", "{\"id\":\"d-1\",\"bot\":\"ci\",\"output\":" + identity()
                        + ",\"format\":\"yaml\",\"destination\":" + directory(ROOT + "/x") + "}"),
                Arguments.of("a kubeconfig server that is no URL", "d-1", "{\"id\":\"d-1\",\"bot\":\"ci\",\"output\":" + identity()
                        + ",\"kubernetesServer\":\"javascript:alert(1)\",\"destination\":" + directory(ROOT + "/x") + "}"),
                Arguments.of("a negative ttl", "d-1", "{\"id\":\"d-1\",\"bot\":\"ci\",\"output\":" + identity()
                        + ",\"ttl\":-5,\"destination\":" + directory(ROOT + "/x") + "}"),
                Arguments.of("a node that is no host name", "d-1", "{\"id\":\"d-1\",\"bot\":\"ci\",\"output\":" + identity()
                        + ",\"node\":\"node 1\",\"destination\":" + directory(ROOT + "/x") + "}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileDeliveries")
    void aHostileDeliveryIsDeadLetteredWithItsReasonNeverWrittenAndTheNextOneIsDelivered(String what, String key, String record)
            throws Exception {
        String value = record == null ? null : record.replace(ROOT, root.toString());
        send(key, value);
        service.pollDeliveries();

        ProducerRecord<String, String> parked = deadLetter(value);
        assertThat(parked.topic()).isEqualTo(Topics.deadLetter(Topics.DELIVERIES));
        assertThat(parked.key()).isEqualTo(key);
        assertThat(reason(parked)).isNotBlank().doesNotContain("\n");
        assertThat(counted("sigil.records.dead.lettered", Topics.DELIVERIES)).isEqualTo(1);
        assertThat(service.held()).isEmpty();
        assertThat(asked).as("nothing issued for it").isEmpty();

        assertAGoodDeliveryIsWritten();
    }

    @Test
    void aDeliveryReadAgainAfterARebalanceIsDeadLetteredOnce() throws Exception {
        send("d-1", "{\"id\":\"d-1\"}");
        service.pollDeliveries();
        // Read from the start again, as when this replica gets the partition back after a rebalance.
        deliveries.seekToBeginning(List.of(PARTITION));
        deliveries.addRecord(new ConsumerRecord<>(Topics.DELIVERIES, 0, 0, "d-1", "{\"id\":\"d-1\"}"));
        service.pollDeliveries();

        assertThat(producer.history()).hasSize(1);
        assertThat(counted("sigil.records.dead.lettered", Topics.DELIVERIES)).isEqualTo(1);
    }

    @Test
    void aHostileUpdateLeavesTheDeliveryAsItWasHeld() throws Exception {
        Path good = root.resolve("held");
        send("d-held", delivery("d-held", "ci", identity(), directory(good.toString())));
        service.pollDeliveries();
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(good.resolve(IdentityOutput.SSH_CONFIG)));

        send("d-held", delivery("d-held", "ci", identity(), directory(good + "/../elsewhere")));
        service.pollDeliveries();

        assertThat(producer.history()).hasSize(1);
        assertThat(service.held()).singleElement().satisfies(d -> assertThat(d.destination()).isEqualTo(good.toString()));
    }

    @Test
    void aTombstoneWithoutAKeyIsSkippedAndCounted() throws Exception {
        send(null, null);
        service.pollDeliveries();

        assertThat(counted("sigil.records.ignored", Topics.DELIVERIES)).isEqualTo(1);
        assertAGoodDeliveryIsWritten();
    }

    @Test
    void anUnreadableRenewalDueIsSkippedAndCountedAndTheNextOneStillRenews() throws Exception {
        Path good = root.resolve("renewed");
        send("d-due", delivery("d-due", "ci", identity(), directory(good.toString())));
        service.pollDeliveries();
        await().atMost(Duration.ofSeconds(20)).until(() -> asked.size() == 1 && service.held().get(0).instanceId() != null);

        for (String hostile : List.of("{not json", "null", "{\"instanceId\":{\"a\":1}}", "")) {
            due.addRecord(new ConsumerRecord<>(Topics.RENEWAL_DUE, 0, offsetOfDue++, "ci", hostile));
        }
        due.addRecord(new ConsumerRecord<>(Topics.RENEWAL_DUE, 0, offsetOfDue++, "ci",
                "{\"bot\":\"ci\",\"instanceId\":\"delivery-d-due\"}"));
        service.pollRenewalDue();

        assertThat(counted("sigil.records.ignored", Topics.RENEWAL_DUE)).isEqualTo(4);
        await().atMost(Duration.ofSeconds(20)).until(() -> asked.size() == 2);
    }

    private long offsetOfDue;

    private void assertAGoodDeliveryIsWritten() {
        Path good = root.resolve("good");
        send("d-good", delivery("d-good", "ci", identity(), directory(good.toString())));
        service.pollDeliveries();

        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(good.resolve(IdentityOutput.SSH_CONFIG)));
        assertThat(service.held()).singleElement().satisfies(d -> {
            assertThat(d.id()).isEqualTo("d-good");
            assertThat(d.problem()).isNull();
        });
    }

    private void send(String key, String value) {
        deliveries.addRecord(new ConsumerRecord<>(Topics.DELIVERIES, 0, offset++, key, value));
    }

    private ProducerRecord<String, String> deadLetter(String value) {
        assertThat(producer.history()).hasSize(1);
        ProducerRecord<String, String> parked = producer.history().get(0);
        assertThat(parked.value()).isEqualTo(value);
        return parked;
    }

    private double counted(String name, String topic) {
        Counter counter = registry.find(name).tag("topic", topic).counter();
        return counter == null ? 0 : counter.count();
    }

    private static String reason(ProducerRecord<String, String> record) {
        Header header = record.headers().lastHeader(ReplyHeaders.DEAD_LETTER_REASON);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String delivery(String id, String bot, String output, String destination) {
        return "{\"id\":\"" + id + "\",\"bot\":\"" + bot + "\",\"output\":" + output + ",\"destination\":" + destination + "}";
    }

    private static String identity() {
        return "{\"name\":\"identity\",\"kind\":\"identity\"}";
    }

    private static String directory(String path) {
        return "{\"type\":\"directory\",\"path\":\"" + path + "\"}";
    }
}
