package dev.sigil.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * A real OpenSSH {@code sshd} on loopback that trusts a given user CA and nothing else: no passwords, no
 * authorized_keys. Runs in the foreground of its own process and is stopped with {@link #close()}.
 */
final class RealSshd implements AutoCloseable {
    static final Path SSHD = Path.of("/usr/sbin/sshd");

    final int port;
    final Path hostPublicKey;
    private final Process process;

    RealSshd(Path dir, Path trustedUserCa) throws IOException, InterruptedException {
        this(dir, trustedUserCa, newHostKey(dir), null);
    }

    /** A host key for an sshd in {@code dir}; its public half is {@code <key>.pub}. */
    static Path newHostKey(Path dir) throws IOException, InterruptedException {
        Path hostKey = dir.resolve("ssh_host_ed25519_key");
        Bots.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString());
        return hostKey;
    }

    /** An sshd with the given host key and, when given, a host certificate for it. */
    RealSshd(Path dir, Path trustedUserCa, Path hostKey, Path hostCertificate) throws IOException, InterruptedException {
        if (!Files.isExecutable(SSHD)) {
            throw new IllegalStateException(SSHD + " is missing: the test command installs openssh-server (see README)");
        }
        Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory
        this.hostPublicKey = Path.of(hostKey + ".pub");
        this.port = freePort();
        Path config = Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "ListenAddress 127.0.0.1",
                "HostKey " + hostKey,
                hostCertificate == null ? "" : "HostCertificate " + hostCertificate,
                "TrustedUserCAKeys " + trustedUserCa,
                "AuthorizedKeysFile none",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "UsePAM no",
                "StrictModes no",
                "PidFile " + dir.resolve("sshd.pid"),
                "LogLevel VERBOSE", ""));
        this.process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString(), "-p", String.valueOf(port))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("sshd.log").toFile())
                .start();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("sshd exited: " + Files.readString(dir.resolve("sshd.log")));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    /** A known_hosts line that trusts this sshd's own host key (host certificates come with the ssh_host output). */
    String knownHostsLine() throws IOException {
        return "[127.0.0.1]:" + port + " " + Files.readString(hostPublicKey).trim() + "\n";
    }

    @Override
    public void close() {
        process.destroy();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
