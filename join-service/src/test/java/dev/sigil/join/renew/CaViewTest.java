package dev.sigil.join.renew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.sigil.contract.CaBundle;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.IssuedIdentity;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;

/** What a bot gets for an issue result naming its CA bundle by version: that version's bundle, or a 503 to retry. */
class CaViewTest {
    private static final CaBundle STANDBY = new CaBundle("example.test", "ssh-user", "ssh-host", "tls");
    private static final CaBundle INIT = new CaBundle("example.test", "ssh-user", "ssh-host", "tls", CaBundle.INIT, 1, 2,
            List.of("ssh-user", "ssh-user-2"), List.of("ssh-host", "ssh-host-2"), List.of("tls", "tls-2"));

    private final CaView view = new CaView();

    @Test
    void aResultNamingARotationsBundleIsAnsweredWithThatBundleNotTheLatest() {
        view.add(INIT);
        view.add(STANDBY);

        IssueResult answered = view.withBundle(issued().withCaVersion(INIT.version())).await().atMost(Duration.ofSeconds(5));

        assertThat(answered.ca()).isEqualTo(INIT);
        assertThat(answered.caVersion()).isNull();
    }

    @Test
    void aResultNamingABundleThisReplicaHasNotReadIsRefusedWith503ToRetry() {
        view.add(STANDBY);

        assertThatThrownBy(() -> view.withBundle(issued().withCaVersion(INIT.version())).await().atMost(Duration.ofSeconds(20)))
                .isInstanceOfSatisfying(RefusalException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.refusal().code()).isEqualTo(Refusal.ISSUER_UNAVAILABLE);
                    assertThat(e.refusal().message()).contains("retry with the same request id");
                });
    }

    @Test
    void aResultCarryingItsBundleIsAnsweredAsItIs() {
        IssueResult inline = issued().withCa(STANDBY);

        assertThat(view.withBundle(inline).await().atMost(Duration.ofSeconds(1))).isSameAs(inline);
    }

    private static IssueResult issued() {
        return new IssueResult("r1", "ci", new IssuedIdentity("i", 1, "ssh-cert", "pem", "1", List.of("access"), List.of("deploy"),
                Instant.now(), Instant.now().plusSeconds(3600), null), List.of(), null, null);
    }
}
