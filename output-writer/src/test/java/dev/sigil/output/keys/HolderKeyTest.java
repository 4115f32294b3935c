package dev.sigil.output.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The holder's key files as OpenSSH and OpenSSL read them. */
class HolderKeyTest {
    @TempDir
    Path dir;

    @Test
    void openSshReadsThePrivateKeyAndDerivesTheSamePublicKey() throws Exception {
        HolderKey key = HolderKey.generate();
        Path file = dir.resolve("key");
        Files.writeString(file, key.openSshPrivateKey());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        String derived = run("ssh-keygen", "-y", "-f", file.toString()).trim();

        assertThat(derived.split(" ")[1]).isEqualTo(key.publicKeyLine().split(" ")[1]);
    }

    @Test
    void openSslReadsThePkcs8KeyAsEd25519() throws Exception {
        HolderKey key = HolderKey.generate();
        Path file = Files.writeString(dir.resolve("tlskey"), key.pkcs8PrivateKey());

        assertThat(run("openssl", "pkey", "-in", file.toString(), "-noout", "-text")).contains("ED25519 Private-Key");
    }

    @Test
    void neverPrintsThePrivateKey() {
        HolderKey key = HolderKey.generate();
        assertThat(key.toString()).doesNotContain("PRIVATE").contains("ssh-ed25519");
    }

    static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        return output;
    }
}
