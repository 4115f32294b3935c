package dev.sigil.join.admins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.sigil.contract.AdminSpec;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;

class ConsoleSessionsTest {
    private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ConsoleSessions sessions = new ConsoleSessions(clock);

    @Test
    void aLinkOpensOneSessionOnly() {
        String link = sessions.newLink(admin(Duration.ofHours(8)));
        ConsoleSessions.Opened opened = sessions.exchange(link).orElseThrow();
        assertThat(opened.session().admin()).isEqualTo("alice");
        assertThat(sessions.session(opened.secret())).isPresent();
        assertThat(sessions.exchange(link)).isEmpty();
    }

    @Test
    void aLinkExpiresAfterSixtySeconds() {
        String link = sessions.newLink(admin(Duration.ofHours(8)));
        clock.advance(ConsoleSessions.LINK_LIFE);
        assertThat(sessions.exchange(link)).isEmpty();
    }

    @Test
    void aLinkUsedJustInTimeWorks() {
        String link = sessions.newLink(admin(Duration.ofHours(8)));
        clock.advance(ConsoleSessions.LINK_LIFE.minusSeconds(1));
        assertThat(sessions.exchange(link)).isPresent();
    }

    @Test
    void aSessionLastsAnHourOrUntilTheAdminCertificateEnds() {
        ConsoleSessions.Opened hour = sessions.exchange(sessions.newLink(admin(Duration.ofHours(8)))).orElseThrow();
        ConsoleSessions.Opened short_ = sessions.exchange(sessions.newLink(admin(Duration.ofMinutes(10)))).orElseThrow();
        assertThat(hour.session().expires()).isEqualTo(clock.instant().plus(ConsoleSessions.SESSION_LIFE));
        assertThat(short_.session().expires()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));

        clock.advance(Duration.ofMinutes(10));
        assertThat(sessions.session(short_.secret())).isEmpty();
        assertThat(sessions.session(hour.secret())).isPresent();
        clock.advance(Duration.ofMinutes(50));
        assertThat(sessions.session(hour.secret())).isEmpty();
    }

    @Test
    void anEndedOrUnknownSessionOpensNothing() {
        ConsoleSessions.Opened opened = sessions.exchange(sessions.newLink(admin(Duration.ofHours(8)))).orElseThrow();
        assertThat(sessions.session(opened.secret() + "x")).isEmpty();
        sessions.end(opened.secret());
        assertThat(sessions.session(opened.secret())).isEmpty();
        assertThat(sessions.exchange("not-a-link")).isEmpty();
    }

    @Test
    void anAdminHasAtMostFiveUnusedLinksAndUsingOrOutlivingOneMakesRoom() {
        Admin alice = admin(Duration.ofHours(8));
        List<String> links = new java.util.ArrayList<>();
        for (int i = 0; i < ConsoleSessions.MAX_LIVE_LINKS; i++) {
            links.add(sessions.newLink(alice));
        }
        assertThatThrownBy(() -> sessions.newLink(alice)).isInstanceOfSatisfying(RefusalException.class, e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.refusal().code()).isEqualTo(Refusal.RATE_LIMITED);
            assertThat(e.refusal().message()).contains("alice").contains("console links not used yet");
        });
        Admin bob = new Admin(new AdminSpec("bob", List.of(AdminSpec.BOT_ADMIN)), "instance-2", "token-2", Admin.CERTIFICATE,
                clock.instant().plus(Duration.ofHours(8)));
        assertThat(sessions.newLink(bob)).as("the cap is per admin").isNotEmpty();

        assertThat(sessions.exchange(links.get(0))).isPresent();
        assertThat(sessions.newLink(alice)).as("a used link frees its place").isNotEmpty();
        clock.advance(ConsoleSessions.LINK_LIFE);
        for (int i = 0; i < ConsoleSessions.MAX_LIVE_LINKS; i++) {
            assertThat(sessions.newLink(alice)).as("expired links free theirs").isNotEmpty();
        }
    }

    private Admin admin(Duration certificateLeft) {
        return new Admin(new AdminSpec("alice", List.of(AdminSpec.BOT_ADMIN)), "instance-1", "token-1", Admin.CERTIFICATE,
                clock.instant().plus(certificateLeft));
    }

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        private Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
