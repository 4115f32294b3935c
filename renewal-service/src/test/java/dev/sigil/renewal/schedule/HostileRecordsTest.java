package dev.sigil.renewal.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Stream;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.IssuedIdentity;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.RenewalDue;
import dev.sigil.contract.RenewalRequest;
import dev.sigil.contract.ReplyHeaders;
import dev.sigil.contract.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Hostile records through renewal-service's real topology (TopologyTestDriver, with the exception handlers and
 * timestamp extractor of application.properties): each lands on its dead-letter topic with a reason and is counted,
 * nothing is stored for it, and a good record right after is still processed and its timer fires.
 */
class HostileRecordsTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private static final Duration LIFETIME = Duration.ofHours(1);

    @TempDir
    Path stateDir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> results;
    private TestInputTopic<String, String> requests;
    private TestInputTopic<String, String> fanout;
    private TestOutputTopic<String, String> resultDeadLetters;
    private TestOutputTopic<String, String> requestDeadLetters;
    private TestOutputTopic<String, String> due;

    @BeforeEach
    void start() throws IOException {
        Properties settings = applicationStreamsSettings();
        settings.put(StreamsConfig.APPLICATION_ID_CONFIG, "renewal-hostile-records");
        settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        RenewalSchedule schedule = new RenewalSchedule(0.5, 0.0, Duration.ofMinutes(5), Optional.empty());
        driver = new TopologyTestDriver(new RenewalTopology().topology(schedule, registry), settings, NOW);
        StringSerializer out = new StringSerializer();
        StringDeserializer in = new StringDeserializer();
        results = driver.createInputTopic(Topics.ISSUE_RESULTS, out, out);
        requests = driver.createInputTopic(Topics.RENEWAL_REQUESTS, out, out);
        fanout = driver.createInputTopic(Topics.RENEWAL_REQUESTS_FANOUT, out, out);
        resultDeadLetters = driver.createOutputTopic(Topics.deadLetter(Topics.ISSUE_RESULTS), in, in);
        requestDeadLetters = driver.createOutputTopic(Topics.deadLetter(Topics.RENEWAL_REQUESTS), in, in);
        due = driver.createOutputTopic(Topics.RENEWAL_DUE, in, in);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    static Stream<Arguments> hostileResults() {
        byte[] noise = new byte[512];
        new Random(11).nextBytes(noise);
        String identity = "{\"instanceId\":\"i-bad\",\"serial\":\"7\",\"validAfter\":\"2026-11-25T10:00:00Z\","
                + "\"validBefore\":\"2026-11-25T11:00:00Z\"";
        return Stream.of(
                Arguments.of("random bytes", new String(noise, StandardCharsets.ISO_8859_1)),
                Arguments.of("a tombstone", null),
                Arguments.of("JSON null", "null"),
                Arguments.of("wrong JSON types", "{\"requestId\":1,\"bot\":[\"a\"],\"identity\":\"x\",\"outputs\":7}"),
                Arguments.of("an identity of nulls", "{\"requestId\":\"r\",\"bot\":\"ci\",\"identity\":{}}"),
                Arguments.of("null bot", "{\"requestId\":\"r\",\"identity\":" + identity + "}}"),
                Arguments.of("a null role", "{\"bot\":\"ci\",\"identity\":" + identity + ",\"roles\":[null]}}"),
                Arguments.of("a newline in the bot", "{\"bot\":\"ci\\nFAKE ALERT\",\"identity\":" + identity + "}}"),
                Arguments.of("a space in the instance", "{\"bot\":\"ci\",\"identity\":{\"instanceId\":\"i bad\","
                        + identity.substring(identity.indexOf("\"serial\"")) + "}}"),
                Arguments.of("a huge instance id", "{\"bot\":\"ci\",\"identity\":{\"instanceId\":\"" + "i".repeat(100_000) + "\","
                        + identity.substring(identity.indexOf("\"serial\"")) + "}}"),
                Arguments.of("a serial with a control character", "{\"bot\":\"ci\",\"identity\":{\"instanceId\":\"i-bad\","
                        + "\"serial\":\"7\\u0007\",\"validAfter\":\"2026-11-25T10:00:00Z\",\"validBefore\":\"2026-11-25T11:00:00Z\"}}"),
                Arguments.of("the end of time", "{\"bot\":\"ci\",\"identity\":{\"instanceId\":\"i-bad\",\"serial\":\"7\","
                        + "\"validAfter\":\"2026-11-25T10:00:00Z\",\"validBefore\":\"+999999999-12-31T23:59:59Z\"}}"),
                Arguments.of("before the epoch", "{\"bot\":\"ci\",\"identity\":{\"instanceId\":\"i-bad\",\"serial\":\"7\","
                        + "\"validAfter\":\"-100000-01-01T00:00:00Z\",\"validBefore\":\"2026-11-25T11:00:00Z\"}}"),
                Arguments.of("expiring before it starts", "{\"bot\":\"ci\",\"identity\":{\"instanceId\":\"i-bad\",\"serial\":\"7\","
                        + "\"validAfter\":\"2026-11-25T11:00:00Z\",\"validBefore\":\"2026-11-25T10:00:00Z\"}}"),
                Arguments.of("an absurd number for a time", "{\"bot\":\"ci\",\"identity\":{\"instanceId\":\"i-bad\",\"serial\":\"7\","
                        + "\"validAfter\":\"2026-11-25T10:00:00Z\",\"validBefore\":9000000000000}}"),
                Arguments.of("neither identity nor refusal", "{\"requestId\":\"r\",\"bot\":\"ci\"}"),
                Arguments.of("JSON nested past any limit", "[".repeat(5_000)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileResults")
    void aHostileIssueResultIsDeadLetteredWithItsReasonAndTheNextResultStillGetsItsTimer(String what, String value) {
        results.pipeInput(new TestRecord<>("hostile", value, NOW));

        TestRecord<String, String> parked = resultDeadLetters.readRecord();
        assertThat(parked.value()).isEqualTo(value);
        assertThat(reason(parked)).as("the dead letter says why").isNotBlank().doesNotContain("\n");
        assertThat(deadLettered(Topics.ISSUE_RESULTS)).isEqualTo(1);
        assertThat(driver.<String, String>getKeyValueStore(RenewalTopology.IDENTITIES).get("i-bad")).as("nothing tracked").isNull();

        assertTheNextResultIsTracked();
    }

    @Test
    void aDeadLetterCarriesTheWallClockTimeNotAHostileRecordTime() {
        Instant farFuture = Instant.parse("+100000-01-01T00:00:00Z");
        results.pipeInput(new TestRecord<>("hostile", "{not a result", farFuture));

        // A broker refuses timestamps far ahead of its clock; a dead letter stamped with one would fail every replay.
        assertThat(resultDeadLetters.readRecord().timestamp()).isEqualTo(NOW.toEpochMilli());
        assertTheNextResultIsTracked();
    }

    @Test
    void aRefusalIsNotTrackedAndNotDeadLettered() {
        results.pipeInput(new TestRecord<>("ci", EventJson.write(IssueResult.refused("r", "ci",
                new Refusal(Refusal.BOT_NOT_FOUND, "no such bot"))), NOW));

        assertThat(resultDeadLetters.isEmpty()).isTrue();
        assertThat(deadLettered(Topics.ISSUE_RESULTS)).isZero();
        assertTheNextResultIsTracked();
    }

    static Stream<Arguments> hostileRequests() {
        byte[] noise = new byte[256];
        new Random(12).nextBytes(noise);
        return Stream.of(
                Arguments.of("random bytes", new String(noise, StandardCharsets.ISO_8859_1)),
                Arguments.of("a tombstone", null),
                Arguments.of("no request id", "{\"scope\":\"all\"}"),
                Arguments.of("wrong JSON types", "{\"requestId\":{\"a\":1},\"bot\":[1,2]}"),
                Arguments.of("naming nothing", "{\"requestId\":\"r-1\"}"),
                Arguments.of("an unknown scope", "{\"requestId\":\"r-1\",\"scope\":\"everything\"}"),
                Arguments.of("a newline in the bot", "{\"requestId\":\"r-1\",\"bot\":\"ci\\nx\"}"),
                Arguments.of("a request id with spaces", "{\"requestId\":\"r 1\",\"scope\":\"all\"}"),
                Arguments.of("a negative spread", "{\"requestId\":\"r-1\",\"scope\":\"all\",\"spread\":-5}"),
                Arguments.of("a spread of longer than anything lives", "{\"requestId\":\"r-1\",\"scope\":\"all\",\"spread\":\"P100000D\"}"),
                Arguments.of("a spread past a long of milliseconds", "{\"requestId\":\"r-1\",\"scope\":\"all\",\"spread\":9223372036854775807}"),
                Arguments.of("an unreadable spread", "{\"requestId\":\"r-1\",\"scope\":\"all\",\"spread\":\"soon\"}"),
                Arguments.of("a huge request", "{\"requestId\":\"r-1\",\"scope\":\"all\",\"x\":\"" + "x".repeat(10_000) + "\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileRequests")
    void aHostileRenewalRequestIsDeadLetteredOnceAndTheNextRequestStillRenews(String what, String value) {
        track("i-1", NOW);
        requests.pipeInput(new TestRecord<>("hostile", value, NOW));

        TestRecord<String, String> parked = requestDeadLetters.readRecord();
        assertThat(parked.value()).isEqualTo(value);
        assertThat(reason(parked)).isNotBlank();
        assertThat(requestDeadLetters.isEmpty()).as("dead-lettered once, not once per partition").isTrue();
        assertThat(deadLettered(Topics.RENEWAL_REQUESTS)).isEqualTo(1);

        assertAGoodRequestRenewsNow("i-1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileRequests")
    void aHostileRecordWrittenStraightToTheFanOutTopicIsDeadLetteredAndTheNextRequestStillRenews(String what, String value) {
        track("i-1", NOW);
        fanout.pipeInput(new TestRecord<>("hostile", value, NOW));

        TestRecord<String, String> parked = requestDeadLetters.readRecord();
        assertThat(parked.value()).isEqualTo(value);
        assertThat(reason(parked)).isNotBlank();
        assertThat(deadLettered(Topics.RENEWAL_REQUESTS_FANOUT)).isEqualTo(1);

        assertAGoodRequestRenewsNow("i-1");
    }

    @Test
    void aTimerThatCannotFireIsDroppedAndCountedAndTheOthersFire() {
        KeyValueStore<String, String> identities = driver.getKeyValueStore(RenewalTopology.IDENTITIES);
        KeyValueStore<String, String> timers = driver.getKeyValueStore(RenewalTopology.TIMERS);
        // What an older version or a bug might have left: an unreadable identity with a timer due now.
        identities.put("i-broken", "{not an identity");
        timers.put(Timers.key(NOW.plusSeconds(1).toEpochMilli(), "i-broken"), "due i-broken ci");
        track("i-1", NOW);

        driver.advanceWallClockTime(LIFETIME.dividedBy(2).plusSeconds(1));

        assertThat(due.readValuesToList()).extracting(v -> EventJson.read(v, RenewalDue.class).instanceId()).containsExactly("i-1");
        assertThat(registry.counter("sigil.records.failed", "stage", "fire-timer", "exception", "MalformedEventException").count())
                .isEqualTo(1);
        assertThat(timers.get(Timers.key(NOW.plusSeconds(1).toEpochMilli(), "i-broken"))).as("not fired again").isNull();
    }

    @Test
    void anUnreadableStoredIdentityDoesNotCostItsRenewalItsTimer() {
        driver.<String, String>getKeyValueStore(RenewalTopology.IDENTITIES).put("i-1", "{not an identity");

        track("i-1", NOW);
        driver.advanceWallClockTime(LIFETIME.dividedBy(2).plusSeconds(1));

        assertThat(due.readValuesToList()).extracting(v -> EventJson.read(v, RenewalDue.class).instanceId()).containsExactly("i-1");
        assertThat(registry.counter("sigil.records.failed", "stage", "replace-timer", "exception", "MalformedEventException").count())
                .isEqualTo(1);
    }

    /** A good result right after: it is tracked, and its timer fires at half its lifetime. */
    private void assertTheNextResultIsTracked() {
        track("i-good", NOW);
        assertThat(resultDeadLetters.isEmpty()).isTrue();
        driver.advanceWallClockTime(LIFETIME.dividedBy(2).plusSeconds(1));
        assertThat(due.readValuesToList()).extracting(v -> EventJson.read(v, RenewalDue.class).instanceId())
                .containsExactly("i-good");
    }

    /** A good renewal request for the bot right after: its identity is due within a tick, not at half its lifetime. */
    private void assertAGoodRequestRenewsNow(String instance) {
        requests.pipeInput(new TestRecord<>("ci", EventJson.write(new RenewalRequest("r-good", null, "ci", null, Duration.ZERO)),
                NOW));
        assertThat(requestDeadLetters.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(due.readValuesToList()).extracting(v -> EventJson.read(v, RenewalDue.class).instanceId())
                .containsExactly(instance);
    }

    private void track(String instance, Instant issued) {
        results.pipeInput(new TestRecord<>("ci", EventJson.write(new IssueResult("r-" + instance, "ci",
                new IssuedIdentity(instance, 1, null, null, "42", List.of("access"), List.of("deploy"), issued,
                        issued.plus(LIFETIME), null), null, null, null)), issued));
    }

    private double deadLettered(String topic) {
        Counter counter = registry.find("sigil.records.dead.lettered").tag("topic", topic).counter();
        return counter == null ? 0 : counter.count();
    }

    private static String reason(TestRecord<String, String> record) {
        Header header = record.headers().lastHeader(ReplyHeaders.DEAD_LETTER_REASON);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The Streams settings of application.properties that decide what a failure does, as the service runs with them. */
    static Properties applicationStreamsSettings() throws IOException {
        Properties application = new Properties();
        try (InputStream in = HostileRecordsTest.class.getResourceAsStream("/application.properties")) {
            application.load(in);
        }
        Properties settings = new Properties();
        application.stringPropertyNames().stream()
                .filter(k -> k.startsWith("kafka-streams.") && (k.endsWith("exception.handler") || k.endsWith("timestamp.extractor")))
                .forEach(k -> settings.put(k.substring("kafka-streams.".length()), application.getProperty(k)));
        return settings;
    }
}
