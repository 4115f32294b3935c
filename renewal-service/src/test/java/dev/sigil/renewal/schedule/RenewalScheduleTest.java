package dev.sigil.renewal.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.sigil.contract.IssueResult;
import dev.sigil.contract.IssuedIdentity;

class RenewalScheduleTest {
    private static final Instant ISSUED = Instant.parse("2026-11-25T10:00:00Z");

    @Test
    void renewsAtHalfTheLifetimeWithinTenPercentAndTheSameWayEveryTime() {
        RenewalSchedule schedule = new RenewalSchedule(0.5, 0.1, Duration.ofMinutes(5), Optional.empty());
        for (int i = 0; i < 200; i++) {
            IssueResult result = issued("i-" + i, Duration.ofHours(1));
            Instant renewAt = schedule.track(result, ISSUED).renewAt();
            assertThat(renewAt).isBetween(ISSUED.plus(Duration.ofMinutes(24)), ISSUED.plus(Duration.ofMinutes(36)));
            assertThat(schedule.track(result, ISSUED).renewAt()).isEqualTo(renewAt);
        }
    }

    @Test
    void countsTheLifetimeFromIssuanceNotFromTheBackdatedStart() {
        RenewalSchedule schedule = new RenewalSchedule(0.5, 0.0, Duration.ofMinutes(5), Optional.empty());
        IssueResult result = new IssueResult("r", "bot", new IssuedIdentity("i", 1, null, null, "1", List.of(), List.of(),
                ISSUED.minus(Duration.ofMinutes(1)), ISSUED.plusSeconds(20), null), null, null, null);

        assertThat(schedule.track(result, ISSUED).renewAt()).isEqualTo(ISSUED.plusSeconds(10));
    }

    @Test
    void aFixedIntervalRenewsThatLongAfterIssuanceUnlessTheCertificateIsShorter() {
        RenewalSchedule schedule = new RenewalSchedule(0.5, 0.1, Duration.ofMinutes(5), Optional.of(Duration.ofMinutes(20)));

        assertThat(schedule.track(issued("a", Duration.ofHours(1)), ISSUED).renewAt())
                .isBetween(ISSUED.plus(Duration.ofMinutes(18)), ISSUED.plus(Duration.ofMinutes(22)));
        assertThat(schedule.track(issued("b", Duration.ofMinutes(10)), ISSUED).renewAt())
                .isBetween(ISSUED.plus(Duration.ofMinutes(4)), ISSUED.plus(Duration.ofMinutes(6)));
    }

    private static IssueResult issued(String instance, Duration lifetime) {
        return new IssueResult("r-" + instance, "bot", new IssuedIdentity(instance, 1, null, null, instance, List.of(), List.of(),
                ISSUED, ISSUED.plus(lifetime), null), null, null, null);
    }
}
