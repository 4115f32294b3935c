package dev.sigil.output.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.sigil.contract.CaBundle;
import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.OutputRequest;
import dev.sigil.output.destination.DirectoryDestination;
import dev.sigil.output.destination.OutputFile;
import dev.sigil.output.keys.HolderKey;

/**
 * The rendering the agent and the delivery service share writes no file and no ssh_config line from a value that
 * breaks its grammar: the whole output is refused, with the rule, before anything is written.
 */
class OutputsRefuseHostileNamesTest {
    private static final HolderKey KEY = HolderKey.generate();
    private static final Instant UNTIL = Instant.now().plusSeconds(3600);

    @TempDir
    Path dir;

    static Stream<Arguments> hostileIdentities() {
        String pem = TestCertificates.PEM;
        return Stream.of(
                Arguments.of("a login with a newline", identity("ci", List.of("deploy\n    ProxyCommand sh -c evil"), TestCertificates.CA)),
                Arguments.of("a login with a comma", identity("ci", List.of("root,admin"), TestCertificates.CA)),
                Arguments.of("a login with a space", identity("ci", List.of("deploy x"), TestCertificates.CA)),
                Arguments.of("no login at all", identity("ci", List.of(), TestCertificates.CA)),
                Arguments.of("a bot with a newline", identity("ci\nHost evil", List.of("deploy"), TestCertificates.CA)),
                Arguments.of("a second line after a CA key", identity("ci", List.of("deploy"), new CaBundle("sigil.local",
                        TestCertificates.SSH_CA + "\n@cert-authority * ssh-ed25519 AAAAEVIL", TestCertificates.SSH_CA, pem))),
                Arguments.of("a cluster name with a newline", identity("ci", List.of("deploy"), new CaBundle("sigil\nHost *",
                        TestCertificates.SSH_CA, TestCertificates.SSH_CA, pem))),
                Arguments.of("text after the certificate", identity("ci", List.of("deploy"), new CaBundle("sigil.local",
                        TestCertificates.SSH_CA, TestCertificates.SSH_CA, pem + "IdentityFile /etc/shadow\n"))),
                Arguments.of("a public key where the certificate goes", new Credentials("ci", OutputRequest.IDENTITY,
                        TestCertificates.SSH_CA, pem, List.of("deploy"), UNTIL, null, null, TestCertificates.CA, KEY)),
                Arguments.of("no expiry", new Credentials("ci", OutputRequest.IDENTITY, TestCertificates.SSH_CERT, pem,
                        List.of("deploy"), null, null, null, TestCertificates.CA, KEY)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileIdentities")
    void anIdentityWithAHostileValueIsRefusedWholeAndNothingIsWritten(String what, Credentials credentials) {
        DeliverySpec.Destination destination = new DeliverySpec.Destination(DeliverySpec.Destination.DIRECTORY, dir.toString());

        assertThatThrownBy(() -> new DirectoryDestination(dir).write(Outputs.render(credentials, RenderOptions.DEFAULTS, destination)))
                .isInstanceOf(UnsafeOutputException.class).hasMessageContaining("refusing to render");
        assertThat(dir.resolve(IdentityOutput.SSH_CONFIG)).doesNotExist();
    }

    @Test
    void aDirectoryThatWouldBreakSshConfigIsRefused() {
        for (String path : List.of(dir + "/a\"b", dir + "/with space", dir + "/new\nline")) {
            assertThatThrownBy(() -> Outputs.render(identity("ci", List.of("deploy"), TestCertificates.CA), RenderOptions.DEFAULTS,
                    new DeliverySpec.Destination(DeliverySpec.Destination.DIRECTORY, path)))
                    .as(path).isInstanceOf(UnsafeOutputException.class).hasMessageContaining("path");
        }
    }

    @Test
    void hostileTextInATlsOutputIsRefused() {
        Credentials app = new Credentials("ci", OutputRequest.APPLICATION, null,
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\nnot a certificate\n", List.of(), UNTIL, null, null,
                TestCertificates.CA, KEY);

        assertThatThrownBy(() -> Outputs.render(app, RenderOptions.DEFAULTS, new DeliverySpec.Destination("memory", null)))
                .isInstanceOf(UnsafeOutputException.class);
        assertThatThrownBy(() -> Outputs.render(identityOf(OutputRequest.KUBERNETES), new RenderOptions(null,
                "https://k8s\n  evil: true"), new DeliverySpec.Destination("memory", null)))
                .isInstanceOf(UnsafeOutputException.class).hasMessageContaining("kubernetesServer");
    }

    @Test
    void goodCredentialsStillRender() throws Exception {
        DeliverySpec.Destination destination = new DeliverySpec.Destination(DeliverySpec.Destination.DIRECTORY, dir.toString());
        List<OutputFile> files = Outputs.render(identity("ci", List.of("deploy", "ci_runner"), TestCertificates.CA),
                RenderOptions.DEFAULTS, destination);
        new DirectoryDestination(dir).write(files);

        assertThat(Files.readString(dir.resolve(IdentityOutput.SSH_CONFIG))).contains("    User deploy\n");
        assertThat(Outputs.render(identityOf(OutputRequest.DATABASE), new RenderOptions("mongo", null),
                new DeliverySpec.Destination("memory", null))).extracting(OutputFile::name).contains("mongo.crt");
    }

    private static Credentials identity(String bot, List<String> logins, CaBundle ca) {
        return new Credentials(bot, OutputRequest.IDENTITY, TestCertificates.SSH_CERT, TestCertificates.PEM, logins, UNTIL, null,
                null, ca, KEY);
    }

    private static Credentials identityOf(String kind) {
        return new Credentials("ci", kind, null, TestCertificates.PEM, List.of(), UNTIL, null, null, TestCertificates.CA, KEY);
    }
}
