package dev.sigil.issuer.ca;

import static dev.sigil.issuer.ca.CertificateAuthorityTest.holderKey;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sigil.contract.BotInstance;
import dev.sigil.contract.CaBundle;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.OutputRequest;
import dev.sigil.issuer.policy.Grant;

/** One X.509 CA per purpose: each certificate verifies, with real openssl, under its own purpose's CA and no other. */
class CaPurposeTest {
    private static final Grant GRANT = new Grant(List.of("ops"), List.of("ubuntu"), List.of("permit-pty"), Duration.ofHours(1),
            null, List.of("viewers"), null);

    @TempDir
    Path dir;

    @Test
    void eachCertificateVerifiesOnlyUnderItsOwnPurposesCa() throws Exception {
        CertificateAuthority ca = new CertificateAuthority("example.test", dir.resolve("ca"), "default");
        Map<String, Path> cas = caFiles(ca.bundle(), "ca");
        Map<String, String> expected = issueEveryKind(ca);

        int tried = 0;
        int refused = 0;
        int through = 0;
        for (Map.Entry<String, String> cert : expected.entrySet()) {
            Path file = Files.writeString(dir.resolve(cert.getKey() + ".crt"), issued.get(cert.getKey()));
            assertThat(run("openssl", "verify", "-CAfile", cas.get(cert.getValue()).toString(), file.toString()).output)
                    .as("%s under its own %s CA", cert.getKey(), cert.getValue()).contains(": OK");
            for (String purpose : CaBundle.X509_PURPOSES) {
                if (!purpose.equals(cert.getValue())) {
                    Result verify = run("openssl", "verify", "-CAfile", cas.get(purpose).toString(), file.toString());
                    tried++;
                    refused += verify.exitCode != 0 ? 1 : 0;
                    through += verify.exitCode == 0 ? 1 : 0;
                    assertThat(verify.exitCode).as("%s under the %s CA: %s", cert.getKey(), purpose, verify.output).isNotZero();
                }
            }
        }
        System.out.printf("CA purposes: %d certificates under another purpose's CA tried, %d refused, %d through%n",
                tried, refused, through);

        for (String purpose : CaBundle.X509_PURPOSES) {
            assertThat(run("openssl", "x509", "-noout", "-subject", "-in", cas.get(purpose).toString()).output)
                    .contains("OU = " + purpose).contains("CN = Sigil " + purpose + " CA example.test");
        }
        Path database = dir.resolve("database.crt");
        String text = run("openssl", "x509", "-noout", "-text", "-in", database.toString()).output;
        assertThat(text).contains("TLS Web Client Authentication").doesNotContain("TLS Web Server Authentication");
        assertThat(run("openssl", "verify", "-purpose", "sslserver", "-CAfile", cas.get(CaBundle.DATABASE).toString(),
                database.toString()).exitCode).as("a database certificate is no server certificate").isNotZero();
        assertThat(run("openssl", "verify", "-purpose", "sslserver", "-CAfile", cas.get(CaBundle.SERVICE).toString(),
                dir.resolve("service.crt").toString()).output).contains(": OK");
        assertThat(distinctKeys(ca.bundle(), CaBundle.X509_PURPOSES)).hasSize(CaBundle.X509_PURPOSES.size());
    }

    @Test
    void rotationMakesNewKeysForEveryPurposeAndTrustsOldAndNewMeanwhile() throws Exception {
        CertificateAuthority ca = new CertificateAuthority("example.test", dir.resolve("ca"), "default");
        CaBundle before = ca.bundle();

        ca.apply(ca.rotate(CaBundle.INIT));
        CaBundle init = ca.bundle();
        assertThat(init.trustedSshUserCas()).hasSize(2).contains(before.sshUserCa()).doesNotHaveDuplicates();
        assertThat(init.trustedSshHostCas()).hasSize(2).contains(before.sshHostCa()).doesNotHaveDuplicates();
        for (String purpose : CaBundle.X509_PURPOSES) {
            assertThat(init.x509Ca(purpose)).as(purpose).isEqualTo(before.x509Ca(purpose));
            assertThat(init.trustedX509Cas(purpose)).as(purpose).hasSize(2).startsWith(before.x509Ca(purpose)).doesNotHaveDuplicates();
        }
        assertThat(init.trustedTlsCas()).isEqualTo(init.trustedX509Cas(CaBundle.BOT));

        ca.apply(ca.rotate(CaBundle.UPDATE_CLIENTS));
        ca.apply(ca.rotate(CaBundle.UPDATE_SERVERS));
        // Now every purpose signs with the next generation; the bundle of both generations still verifies them.
        Map<String, String> purposes = issueEveryKind(ca);
        Map<String, Path> both = new LinkedHashMap<>();
        for (String purpose : CaBundle.X509_PURPOSES) {
            both.put(purpose, Files.writeString(dir.resolve("both-" + purpose + ".pem"),
                    String.join("", ca.bundle().trustedX509Cas(purpose))));
        }
        Map<String, Path> old = caFiles(before, "old");
        for (Map.Entry<String, String> cert : purposes.entrySet()) {
            Path file = Files.writeString(dir.resolve("rotated-" + cert.getKey() + ".crt"), issued.get(cert.getKey()));
            assertThat(run("openssl", "verify", "-CAfile", both.get(cert.getValue()).toString(), file.toString()).output)
                    .as(cert.getKey()).contains(": OK");
            assertThat(run("openssl", "verify", "-CAfile", old.get(cert.getValue()).toString(), file.toString()).exitCode)
                    .as("%s is signed by the new %s key", cert.getKey(), cert.getValue()).isNotZero();
        }

        ca.apply(ca.rotate(CaBundle.STANDBY));
        CaBundle after = ca.bundle();
        assertThat(after.activeGeneration()).isEqualTo(2);
        for (String purpose : CaBundle.X509_PURPOSES) {
            assertThat(after.trustedX509Cas(purpose)).as(purpose).containsExactly(after.x509Ca(purpose));
            assertThat(after.x509Ca(purpose)).as(purpose).isNotEqualTo(before.x509Ca(purpose));
        }
        Set<String> keys = distinctKeys(before, CaBundle.X509_PURPOSES);
        keys.addAll(distinctKeys(after, CaBundle.X509_PURPOSES));
        assertThat(keys).as("eight X.509 CA keys, none shared").hasSize(2 * CaBundle.X509_PURPOSES.size());
        assertThat(after.sshUserCa()).isNotEqualTo(before.sshUserCa());
        assertThat(after.sshHostCa()).isNotEqualTo(before.sshHostCa());
    }

    @Test
    void theSingleCaFromBeforeTheSplitBecomesTheBotCaAndTheOthersAreCreated() throws Exception {
        Path keys = dir.resolve("old");
        CaBundle original = new CertificateAuthority("example.test", keys, "default").bundle();
        for (String purpose : List.of("database", "kubernetes", "service")) {
            Files.delete(keys.resolve(purpose + "_ca.key"));
            Files.delete(keys.resolve(purpose + "_ca.crt"));
        }
        // What an issuer from before the split published: one X.509 CA, no purposes.
        CaBundle published = EventJson.read(EventJson.write(new CaBundle("example.test", original.sshUserCa(),
                original.sshHostCa(), original.tlsCa())), CaBundle.class);
        assertThat(published.hasEveryPurpose()).isFalse();
        assertThat(published.x509Ca(CaBundle.DATABASE)).isEqualTo(original.tlsCa());

        CertificateAuthority restarted = new CertificateAuthority("example.test", keys, "default");
        restarted.apply(published);

        CaBundle now = restarted.bundle();
        assertThat(now.hasEveryPurpose()).isTrue();
        assertThat(now).isNotEqualTo(published);
        assertThat(now.x509Ca(CaBundle.BOT)).isEqualTo(original.tlsCa()).isEqualTo(now.tlsCa());
        for (String purpose : List.of(CaBundle.DATABASE, CaBundle.KUBERNETES, CaBundle.SERVICE)) {
            assertThat(now.x509Ca(purpose)).as(purpose).isNotEqualTo(original.x509Ca(purpose));
            assertThat(Files.exists(keys.resolve(purpose + "_ca.key"))).isTrue();
        }
        assertThat(EventJson.read(EventJson.write(now), CaBundle.class)).isEqualTo(now);
    }

    /** Issues one certificate of every X.509 kind; answers kind → the purpose whose CA must have signed it. */
    private Map<String, String> issueEveryKind(CertificateAuthority ca) throws Exception {
        issued.clear();
        BotInstance instance = new BotInstance("i-1", 1, "token", "t");
        Instant now = Instant.now();
        issued.put("identity", ca.issue("ci", holderKey(), GRANT, instance, now).tlsCertificate());
        for (OutputRequest output : List.of(
                new OutputRequest("app", OutputRequest.APPLICATION, null, null, "api", null, null, null, null, null, null, null),
                // The database user is the join-service host: the certificate must still never pass as a server's.
                new OutputRequest("db", OutputRequest.DATABASE, null, null, null, "pg", "127.0.0.1", null, null, null, null, null),
                new OutputRequest("kube", OutputRequest.KUBERNETES, null, null, null, null, null, null, "prod", null, null, null),
                new OutputRequest("svid", OutputRequest.WORKLOAD_IDENTITY, null, null, null, null, null, null, null, null,
                        "/workload/api", null))) {
            issued.put(output.kind(), ca.issueOutput("ci", output, holderKey(), GRANT, null, instance, now).tlsCertificate());
        }
        issued.put("service", ca.issueServerCertificate(ecKey(), "join-service", List.of("127.0.0.1", "localhost"), now));
        Map<String, String> purposes = new LinkedHashMap<>();
        purposes.put("identity", CaBundle.BOT);
        purposes.put(OutputRequest.APPLICATION, CaBundle.BOT);
        purposes.put(OutputRequest.WORKLOAD_IDENTITY, CaBundle.BOT);
        purposes.put(OutputRequest.DATABASE, CaBundle.DATABASE);
        purposes.put(OutputRequest.KUBERNETES, CaBundle.KUBERNETES);
        purposes.put("service", CaBundle.SERVICE);
        return purposes;
    }

    private final Map<String, String> issued = new LinkedHashMap<>();

    private Map<String, Path> caFiles(CaBundle bundle, String prefix) throws IOException {
        Map<String, Path> files = new LinkedHashMap<>();
        for (String purpose : CaBundle.X509_PURPOSES) {
            files.put(purpose, Files.writeString(dir.resolve(prefix + "-" + purpose + ".pem"), bundle.x509Ca(purpose)));
        }
        return files;
    }

    private static Set<String> distinctKeys(CaBundle bundle, List<String> purposes) throws IOException {
        Set<String> keys = new HashSet<>();
        for (String purpose : purposes) {
            try (PEMParser parser = new PEMParser(new StringReader(bundle.x509Ca(purpose)))) {
                keys.add(java.util.HexFormat.of().formatHex(
                        ((X509CertificateHolder) parser.readObject()).getSubjectPublicKeyInfo().getEncoded()));
            }
        }
        return keys;
    }

    private static SubjectPublicKeyInfo ecKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", CaKeyStore.PROVIDER);
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return SubjectPublicKeyInfo.getInstance(generator.generateKeyPair().getPublic().getEncoded());
    }

    record Result(int exitCode, String output) {
    }

    static Result run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }
}
