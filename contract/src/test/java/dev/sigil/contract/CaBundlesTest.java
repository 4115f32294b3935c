package dev.sigil.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

/** CA bundles named by version: what changes a version, and how a reader puts the named bundle back into a result. */
class CaBundlesTest {
    private static final CaBundle STANDBY = bundle(CaBundle.STANDBY, 1, null, List.of("a1"), Map.of(CaBundle.BOT, "p1"));

    @Test
    void theVersionIsTheSameForEqualBundlesWhateverTheirMapOrder() {
        Map<String, String> ordered = new TreeMap<>(Map.of(CaBundle.BOT, "p1", CaBundle.DATABASE, "d1"));
        Map<String, String> reversed = new TreeMap<>(java.util.Comparator.<String>reverseOrder());
        reversed.putAll(ordered);
        CaBundle a = bundle(CaBundle.STANDBY, 1, null, List.of("a1"), ordered);
        CaBundle b = bundle(CaBundle.STANDBY, 1, null, List.of("a1"), reversed);

        assertThat(a.version()).isEqualTo(b.version()).hasSize(32);
        assertThat(EventJson.read(EventJson.write(a), CaBundle.class).version()).isEqualTo(a.version());
    }

    @Test
    void aRotationPhaseChangesTheVersionWithoutChangingTheActiveGeneration() {
        CaBundle init = bundle(CaBundle.INIT, 1, 2, List.of("a1", "a2"), Map.of(CaBundle.BOT, "p1"));
        CaBundle updateClients = bundle(CaBundle.UPDATE_CLIENTS, 1, 2, List.of("a1", "a2"), Map.of(CaBundle.BOT, "p1"));
        CaBundle otherTrust = bundle(CaBundle.STANDBY, 1, null, List.of("a1", "x"), Map.of(CaBundle.BOT, "p1"));

        assertThat(List.of(STANDBY.version(), init.version(), updateClients.version(), otherTrust.version()))
                .doesNotHaveDuplicates();
    }

    @Test
    void aResultNamingAVersionGetsThatVersionsBundleExactlyInTheOldForm() throws Exception {
        CaBundles bundles = new CaBundles();
        CaBundle init = bundle(CaBundle.INIT, 1, 2, List.of("a1", "a2"), Map.of(CaBundle.BOT, "p1"));
        bundles.add(STANDBY);
        bundles.add(init);
        IssueResult named = issued().withCaVersion(STANDBY.version());

        IssueResult resolved = bundles.resolveBlocking(named, Duration.ofSeconds(1));

        assertThat(resolved.ca()).isEqualTo(STANDBY);
        assertThat(resolved.caVersion()).isNull();
        assertThat(EventJson.write(resolved)).isEqualTo(EventJson.write(issued().withCa(STANDBY)));
    }

    @Test
    void aVersionNotSeenYetIsWaitedForAndThenAnswered() throws Exception {
        CaBundles bundles = new CaBundles();
        CompletableFuture<IssueResult> waiting = bundles.resolve(issued().withCaVersion(STANDBY.version()), Duration.ofSeconds(30));
        assertThat(waiting).isNotDone();

        bundles.add(STANDBY);

        assertThat(waiting.get(5, TimeUnit.SECONDS).ca()).isEqualTo(STANDBY);
    }

    @Test
    void aVersionThatNeverComesIsRefusedNeverAnsweredWithAnotherBundle() {
        CaBundles bundles = new CaBundles();
        bundles.add(STANDBY);
        IssueResult named = issued().withCaVersion("0123456789abcdef0123456789abcdef");

        assertThatThrownBy(() -> bundles.resolveBlocking(named, Duration.ofMillis(200))).isInstanceOf(TimeoutException.class)
                .hasMessageContaining("0123456789abcdef0123456789abcdef");
    }

    @Test
    void onlyTheLastFewBundlesAreKept() {
        CaBundles bundles = new CaBundles();
        for (int g = 1; g <= CaBundles.KEEP + 1; g++) {
            bundles.add(bundle(CaBundle.STANDBY, g, null, List.of("a" + g), Map.of()));
        }
        assertThat(bundles.find(bundle(CaBundle.STANDBY, 1, null, List.of("a1"), Map.of()).version())).isEmpty();
        assertThat(bundles.find(bundle(CaBundle.STANDBY, 2, null, List.of("a2"), Map.of()).version())).isPresent();
    }

    @Test
    void aResultCarryingItsBundleIsReadAsItIs() throws Exception {
        IssueResult inline = issued().withCa(STANDBY);
        IssueResult read = EventJson.read(EventJson.write(inline), IssueResult.class);

        assertThat(read.namesCaByVersion()).isFalse();
        assertThat(new CaBundles().resolveBlocking(read, Duration.ofMillis(1)).ca()).isEqualTo(STANDBY);
    }

    private static IssueResult issued() {
        return new IssueResult("r1", "ci", new IssuedIdentity("i", 1, "ssh-cert", "pem", "1", List.of("access"), List.of("deploy"),
                Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T01:00:00Z"), null), List.of(), null, null);
    }

    private static CaBundle bundle(String phase, int active, Integer next, List<String> trustedSshUser, Map<String, String> x509) {
        return new CaBundle("example.test", trustedSshUser.get(0), "host", "tls", phase, active, next, trustedSshUser,
                List.of("host"), List.of("tls"), x509, null);
    }
}
