package dev.sigil.issuer.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sigil.contract.BotInstance;
import dev.sigil.contract.IssuedIdentity;
import dev.sigil.issuer.policy.Grant;

/** The CA's certificates as real OpenSSH and OpenSSL tools read them. */
class CertificateAuthorityTest {
    @TempDir
    Path dir;

    @Test
    void sshCertificateShowsPrincipalsKeyIdAndValidityToSshKeygen() throws Exception {
        CertificateAuthority ca = new CertificateAuthority("example.test", dir.resolve("ca"), "default");
        Instant now = Instant.parse("2030-01-02T03:04:05Z");
        IssuedIdentity id = ca.issue("deployer", holderKey(),
                new Grant(List.of("deploy"), List.of("ubuntu", "deploy"), List.of("permit-pty", "permit-port-forwarding"),
                        Duration.ofMinutes(30), null),
                new BotInstance("i-1", 1, "token", "t"), now);

        Path cert = dir.resolve("key-cert.pub");
        Files.writeString(cert, id.sshCertificate() + "\n");
        String listing = run("ssh-keygen", "-L", "-f", cert.toString());

        assertThat(listing).contains("Type: ssh-ed25519-cert-v01@openssh.com user certificate")
                .contains("Key ID: \"bot-deployer/i-1\"")
                .contains("Serial: " + id.serial())
                .contains("Valid: from 2030-01-02T03:03:05 to 2030-01-02T03:34:05")
                .contains("permit-pty").contains("permit-port-forwarding").doesNotContain("permit-agent-forwarding")
                .containsPattern("Principals: \\n\\s+ubuntu\\n\\s+deploy\\n");
        assertThat(listing).contains("Signing CA: ED25519");
    }

    @Test
    void x509CertificateVerifiesAgainstTheCaWithOpenssl() throws Exception {
        CertificateAuthority ca = new CertificateAuthority("example.test", dir.resolve("ca"), "default");
        IssuedIdentity id = ca.issue("deployer", holderKey(),
                new Grant(List.of("deploy", "audit"), List.of("ubuntu"), List.of("permit-pty"), Duration.ofHours(1), null),
                new BotInstance("i-7", 7, "token", "t"), Instant.now());
        Path caFile = Files.writeString(dir.resolve("ca.pem"), ca.bundle().tlsCa());
        Path certFile = Files.writeString(dir.resolve("tlscert"), id.tlsCertificate());

        assertThat(run("openssl", "verify", "-purpose", "sslclient", "-CAfile", caFile.toString(), certFile.toString()))
                .contains(": OK");
        String text = run("openssl", "x509", "-noout", "-text", "-in", certFile.toString());
        assertThat(text).contains("CN = bot-deployer").contains("O = deploy").contains("O = audit")
                .contains("URI:spiffe://example.test/bot/deployer").contains("TLS Web Client Authentication")
                .contains(BotInstance.CERTIFICATE_EXTENSION_OID).contains("\"instanceId\":\"i-7\"").contains("\"generation\":7");
    }

    @Test
    void restartKeepsTheSameCaAndKeyFilesAreOwnerOnly() throws Exception {
        CertificateAuthority first = new CertificateAuthority("example.test", dir.resolve("ca"), "default");
        CertificateAuthority second = new CertificateAuthority("example.test", dir.resolve("ca"), "default");

        assertThat(second.bundle()).isEqualTo(first.bundle());
        for (String key : List.of("ssh_user_ca.key", "ssh_host_ca.key", "tls_ca.key")) {
            assertThat(Files.getPosixFilePermissions(dir.resolve("ca").resolve(key)))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
    }

    @Test
    void theLegacySuiteSignsWithRsaThatOpensshAndOpensslAccept() throws Exception {
        CertificateAuthority ca = new CertificateAuthority("legacy.test", dir.resolve("legacy-ca"), "legacy");
        IssuedIdentity id = ca.issue("old-timer", holderKey(), new Grant(List.of("ops"), List.of("ubuntu"),
                List.of("permit-pty"), Duration.ofMinutes(10), null), new BotInstance("i-9", 1, "token", "t"), Instant.now());

        assertThat(ca.bundle().sshUserCa()).startsWith("ssh-rsa ");
        Path cert = Files.writeString(dir.resolve("legacy-cert.pub"), id.sshCertificate() + "\n");
        assertThat(run("ssh-keygen", "-L", "-f", cert.toString())).contains("Signing CA: RSA").contains("rsa-sha2-256");
        Path caFile = Files.writeString(dir.resolve("legacy-ca.pem"), ca.bundle().tlsCa());
        Path tls = Files.writeString(dir.resolve("legacy.crt"), id.tlsCertificate());
        assertThat(run("openssl", "verify", "-CAfile", caFile.toString(), tls.toString())).contains(": OK");
        assertThat(run("openssl", "x509", "-noout", "-text", "-in", tls.toString())).contains("sha256WithRSAEncryption");
    }

    @Test
    void refusesMalformedAndPrivatePublicKeys() {
        assertThatThrownBy(() -> SshPublicKeys.parse("ssh-ed25519 !!!notbase64")).hasMessageContaining("does not decode");
        assertThatThrownBy(() -> SshPublicKeys.parse("ssh-dss AAAA")).hasMessageContaining("not one of");
        assertThatThrownBy(() -> SshPublicKeys.parse("")).hasMessageContaining("no public key");
    }

    static SshPublicKeys holderKey() throws Exception {
        var pair = KeyPairGenerator.getInstance("Ed25519", CaKeyStore.PROVIDER).generateKeyPair();
        var params = (Ed25519PublicKeyParameters) PublicKeyFactory.createKey(pair.getPublic().getEncoded());
        return SshPublicKeys.parse("ssh-ed25519 "
                + Base64.getEncoder().encodeToString(OpenSSHPublicKeyUtil.encodePublicKey(params)));
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + " said: " + output).isZero();
        return output;
    }
}
