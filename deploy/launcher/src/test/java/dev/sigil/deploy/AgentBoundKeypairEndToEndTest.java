package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.sigil.contract.EventJson;

/**
 * The agent with method bound_keypair, run as a user runs it: the first run makes the key in its storage and prints
 * the public key; once an admin binds it to a join token the next run registers the bot, later runs renew, and after
 * an outage that let the identity expire a run recovers with the same key, as often as the token's recovery_limit.
 */
@ExtendWith(SigilCluster.class)
class AgentBoundKeypairEndToEndTest {
    private static final Pattern WROTE = Pattern.compile("wrote the identity of bot (\\S+) \\(instance (\\S+), generation (\\d+),"
            + ".*valid until (\\S+)\\)");

    @TempDir
    Path dir;

    @Test
    void theFirstRunMakesTheKeyThenTheBotRegistersRenewsAndRecoversUpToItsLimit(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = "edge-" + UUID.randomUUID().toString().substring(0, 8);
        Path storage = dir.resolve("storage");

        // No join token yet: the agent makes its key, keeps it 0600 and prints what the admin must bind.
        LocalCluster.ProcessResult first = agent(cluster, token, storage, "3s");
        assertThat(first.exitCode()).as(first.stdout() + first.stderr()).isEqualTo(2);
        assertThat(first.stderr()).contains("join refused (TOKEN_NOT_FOUND)");
        Path key = storage.resolve("bound_keypair");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        String publicKey = Files.readString(storage.resolve("bound_keypair.pub")).trim();
        assertThat(first.stdout()).contains(publicKey).contains("config.public_key");
        assertThat(Bots.run("ssh-keygen", "-y", "-f", key.toString()).output().trim()).isEqualTo(publicKey);
        String privateKey = Files.readString(key);
        assertThat(first.stdout() + first.stderr()).doesNotContain(privateKey.lines().skip(1).findFirst().orElseThrow());

        boundToken(cluster, bot, token, publicKey, "1");
        LocalCluster.ProcessResult registered = agent(cluster, token, storage, "3s");
        assertThat(registered.exitCode()).as(registered.stderr()).isZero();
        Matcher joined = wrote(registered, bot, 1);

        // An outage: the identity expires; the next run recovers with the stored key, as a new bot instance.
        awaitExpiry(joined);
        LocalCluster.ProcessResult recovered = agent(cluster, token, storage, "10m");
        assertThat(recovered.exitCode()).as(recovered.stderr()).isZero();
        Matcher recovery = wrote(recovered, bot, 1);
        assertThat(recovery.group(2)).isNotEqualTo(joined.group(2));
        assertThat(Files.readString(key)).as("the same key").isEqualTo(privateKey);

        // While the identity is valid, a run renews it: same instance, next generation, no join counted.
        LocalCluster.ProcessResult renewed = agent(cluster, token, storage, "3s");
        assertThat(renewed.exitCode()).as(renewed.stderr()).isZero();
        Matcher renewal = wrote(renewed, bot, 2);
        assertThat(renewal.group(2)).isEqualTo(recovery.group(2));

        // The one recovery is used up: after the next outage the issuer refuses, and says what an admin can do.
        awaitExpiry(renewal);
        LocalCluster.ProcessResult refused = agent(cluster, token, storage, "10m");
        assertThat(refused.exitCode()).as(refused.stdout()).isEqualTo(2);
        assertThat(refused.stderr()).contains("join refused (JOIN_LIMIT_REACHED)").contains("recovery_limit");
    }

    @Test
    void aKeyMadeWithSshKeygenIsUsedAndAKeyTheTokenDoesNotNameIsRefused(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        Path bound = dir.resolve("bound");
        Path stranger = dir.resolve("stranger");
        for (Path storage : List.of(bound, stranger)) {
            Files.createDirectories(storage);
            assertThat(Bots.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", storage.resolve("bound_keypair").toString())
                    .exitCode()).isZero();
        }
        String token = "given-" + UUID.randomUUID().toString().substring(0, 8);
        boundToken(cluster, bot, token, Files.readString(bound.resolve("bound_keypair.pub")).trim(), "0");

        LocalCluster.ProcessResult wrongKey = agent(cluster, token, stranger, "10m");
        assertThat(wrongKey.exitCode()).as(wrongKey.stdout()).isEqualTo(2);
        assertThat(wrongKey.stderr()).contains("join refused (SIGNATURE_INVALID)");
        assertThat(stranger.resolve("tlscert")).doesNotExist();

        LocalCluster.ProcessResult given = agent(cluster, token, bound, "10m");
        assertThat(given.exitCode()).as(given.stderr()).isZero();
        wrote(given, bot, 1);
        assertThat(given.stdout()).doesNotContain("made a new key");
    }

    @Test
    void aKeyMadeBeforehandWithKeypairCreateLetsTheFirstRunJoin(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        Path storage = dir.resolve("storage");

        LocalCluster.ProcessResult created = cluster.runAgent("keypair", "create", "--storage", storage.toString());
        assertThat(created.exitCode()).as(created.stderr()).isZero();
        String publicKey = Files.readString(storage.resolve("bound_keypair.pub")).trim();
        assertThat(created.stdout()).contains("made a new key").contains(publicKey);
        LocalCluster.ProcessResult again = cluster.runAgent("keypair", "create", "--storage", storage.toString());
        assertThat(again.stdout()).contains("kept the key").contains(publicKey);

        String token = "pre-" + UUID.randomUUID().toString().substring(0, 8);
        boundToken(cluster, bot, token, publicKey, "1");
        LocalCluster.ProcessResult joined = agent(cluster, token, storage, "10m");
        assertThat(joined.exitCode()).as(joined.stderr()).isZero();
        wrote(joined, bot, 1);
        assertThat(joined.stdout()).doesNotContain("made a new key");
    }

    @Test
    void aKeyFileOthersCanReadIsRefusedBeforeAnythingIsSent(LocalCluster cluster) throws Exception {
        Path storage = Files.createDirectories(dir.resolve("storage"));
        assertThat(Bots.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", storage.resolve("bound_keypair").toString())
                .exitCode()).isZero();
        Files.setPosixFilePermissions(storage.resolve("bound_keypair"), PosixFilePermissions.fromString("rw-r--r--"));

        LocalCluster.ProcessResult agent = agent(cluster, "any-token", storage, "10m");

        assertThat(agent.exitCode()).isEqualTo(1);
        assertThat(agent.stderr()).contains("can be read by others").contains("chmod 600");
    }

    private static LocalCluster.ProcessResult agent(LocalCluster cluster, String token, Path storage, String ttl) throws Exception {
        return cluster.runAgent(new ArrayList<>(List.of("start", "--oneshot", "--join-url", cluster.url(Service.JOIN).toString(),
                "--ca-pin", cluster.caPin(), "--join-method", "bound_keypair", "--token", token, "--storage", storage.toString(),
                "--credential-ttl", ttl)).toArray(String[]::new));
    }

    private static void boundToken(LocalCluster cluster, String bot, String name, String publicKey, String recoveryLimit)
            throws Exception {
        Bots.Answer created = Bots.post(cluster, "/v1/admin/tokens", EventJson.write(Map.of("name", name, "bot", bot,
                "joinMethod", "bound_keypair", "ttl", "24h", "config", Map.of("public_key", publicKey, "recovery_limit", recoveryLimit))),
                null);
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    }

    /** The agent's "wrote the identity" line, checked for the bot and generation; groups: bot, instance, generation, valid until. */
    private static Matcher wrote(LocalCluster.ProcessResult run, String bot, int generation) {
        Matcher m = WROTE.matcher(run.stdout());
        assertThat(m.find()).as(run.stdout()).isTrue();
        assertThat(m.group(1)).isEqualTo(bot);
        assertThat(m.group(3)).isEqualTo(String.valueOf(generation));
        return m;
    }

    private static void awaitExpiry(Matcher wrote) {
        Instant expiry = Instant.parse(wrote.group(4));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> Instant.now().isAfter(expiry));
    }
}
