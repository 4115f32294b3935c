package dev.sigil.renewal.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sigil.contract.BotSpec;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.IssuedIdentity;
import dev.sigil.contract.RenewalDue;
import dev.sigil.contract.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * A bot deleted by the admin API (its tombstone on sigil.bots) has its renewal timers stopped through renewal-service's
 * real topology: none of its identities is due, overdue or expired afterwards, and another bot's still are.
 */
class BotDeletionTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private static final Duration LIFETIME = Duration.ofHours(1);

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, String> results;
    private TestInputTopic<String, String> bots;
    private TestOutputTopic<String, String> due;
    private TestOutputTopic<String, String> alerts;

    @BeforeEach
    void start() throws Exception {
        Properties settings = HostileRecordsTest.applicationStreamsSettings();
        settings.put(StreamsConfig.APPLICATION_ID_CONFIG, "renewal-bot-deletion");
        settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        RenewalSchedule schedule = new RenewalSchedule(0.5, 0.0, Duration.ofMinutes(5), Optional.empty());
        driver = new TopologyTestDriver(new RenewalTopology().topology(schedule, new SimpleMeterRegistry()), settings, NOW);
        StringSerializer out = new StringSerializer();
        results = driver.createInputTopic(Topics.ISSUE_RESULTS, out, out);
        bots = driver.createInputTopic(Topics.BOTS, out, out);
        due = driver.createOutputTopic(Topics.RENEWAL_DUE, new StringDeserializer(), new StringDeserializer());
        alerts = driver.createOutputTopic(Topics.ALERTS, new StringDeserializer(), new StringDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void aDeletedBotsTimersStopAndOtherBotsKeepTheirs() {
        issue("ci", "i-ci-1");
        issue("ci", "i-ci-2");
        issue("other", "i-other");

        bots.pipeInput(new TestRecord<>("ci", null, NOW));

        assertThat(driver.<String, String>getKeyValueStore(RenewalTopology.IDENTITIES).get("i-ci-1")).isNull();
        assertThat(driver.<String, String>getKeyValueStore(RenewalTopology.IDENTITIES).get("i-ci-2")).isNull();
        assertThat(driver.<String, String>getKeyValueStore(RenewalTopology.IDENTITIES).get("i-other")).isNotNull();
        for (int minute = 0; minute < 70; minute += 5) {
            driver.advanceWallClockTime(Duration.ofMinutes(5)); // each tick fires one point of each identity's life
        }
        assertThat(due.readValuesToList()).extracting(v -> EventJson.read(v, RenewalDue.class).instanceId())
                .containsExactly("i-other");
        assertThat(alerts.readValuesToList()).as("nothing is overdue or expired for a deleted bot")
                .isNotEmpty().allSatisfy(alert -> assertThat(alert).doesNotContain("i-ci-"));
    }

    @Test
    void aBotWrittenAgainKeepsItsTimers() {
        issue("ci", "i-ci-1");

        bots.pipeInput(new TestRecord<>("ci", EventJson.write(new BotSpec("ci", List.of("access"), null, null)), NOW));

        driver.advanceWallClockTime(LIFETIME.dividedBy(2).plusSeconds(1));
        assertThat(due.readValuesToList()).extracting(v -> EventJson.read(v, RenewalDue.class).instanceId())
                .containsExactly("i-ci-1");
    }

    private void issue(String bot, String instance) {
        results.pipeInput(new TestRecord<>(bot, EventJson.write(new IssueResult("r-" + instance, bot,
                new IssuedIdentity(instance, 1, null, null, "42", List.of("access"), List.of("deploy"), NOW,
                        NOW.plus(LIFETIME), null), null, null, null)), NOW));
    }
}
