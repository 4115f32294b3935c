package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A real sshd that trusts Sigil's user CA lets the bot in with its certificate, and only as its own logins. */
@ExtendWith(SigilCluster.class)
class OpenSshLoginTest {
    private static final String LOGIN = System.getProperty("user.name");

    @TempDir
    Path dir;

    @Test
    void sshdAcceptsTheCertificateForItsPrincipalAndRefusesAnotherLogin(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of(LOGIN));
        Path out = dir.resolve("identity");
        LocalCluster.ProcessResult agent = Bots.agentJoin(cluster, out, bot);
        assertThat(agent.exitCode()).as(agent.stderr()).isZero();

        try (RealSshd sshd = new RealSshd(Files.createDirectory(dir.resolve("sshd")), out.resolve("user-ca.pub"))) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts_test"), sshd.knownHostsLine());

            Bots.Run allowed = ssh(out, knownHosts, sshd.port, LOGIN, "echo logged-in-as-$(id -un)");
            assertThat(allowed.exitCode()).as(allowed.output()).isZero();
            assertThat(allowed.output()).contains("logged-in-as-" + LOGIN);

            Bots.Run refused = ssh(out, knownHosts, sshd.port, "nobody", "true");
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.output()).contains("Permission denied");
        }
    }

    @Test
    void sshdRefusesAKeyWithoutTheCertificate(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of(LOGIN));
        Path out = dir.resolve("identity");
        assertThat(Bots.agentJoin(cluster, out, bot).exitCode()).isZero();
        Files.delete(out.resolve("key-cert.pub"));

        try (RealSshd sshd = new RealSshd(Files.createDirectory(dir.resolve("sshd")), out.resolve("user-ca.pub"))) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts_test"), sshd.knownHostsLine());
            Bots.Run refused = ssh(out, knownHosts, sshd.port, LOGIN, "true");
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.output()).contains("Permission denied");
        }
    }

    @Test
    void sshdRefusesAnExpiredCertificate(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of(LOGIN));
        Path out = dir.resolve("identity");
        assertThat(Bots.agentJoin(cluster, out, bot, "--credential-ttl", "2s").exitCode()).isZero();
        String listing = Bots.run("ssh-keygen", "-L", "-f", out.resolve("key-cert.pub").toString()).output();
        java.time.Instant validBefore = java.time.Instant.parse(listing.replaceAll("(?s).*Valid: from \\S+ to (\\S+).*", "$1") + "Z");

        try (RealSshd sshd = new RealSshd(Files.createDirectory(dir.resolve("sshd")), out.resolve("user-ca.pub"))) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts_test"), sshd.knownHostsLine());
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> java.time.Instant.now().isAfter(validBefore.plusSeconds(1)));
            Bots.Run refused = ssh(out, knownHosts, sshd.port, LOGIN, "true");
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.output()).contains("Permission denied");
        }
    }

    /** ssh with the bot's ssh_config; only the host check is pointed at the test sshd's own host key. */
    private static Bots.Run ssh(Path identity, Path knownHosts, int port, String login, String command) throws Exception {
        return Bots.run("ssh", "-F", identity.resolve("ssh_config").toString(), "-o", "UserKnownHostsFile=" + knownHosts,
                "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-p", String.valueOf(port), login + "@127.0.0.1", command);
    }
}
