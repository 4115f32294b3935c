package dev.sigil.output.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.sigil.contract.CaBundle;
import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.OutputRequest;
import dev.sigil.output.destination.OutputFile;
import dev.sigil.output.keys.HolderKey;

/** Each output names the CA of its own purpose: what its consumer must trust, and no other. */
class OutputPurposeCasTest {
    private static final HolderKey KEY = HolderKey.generate();
    private static final Map<String, String> CAS = Map.of(CaBundle.BOT, TestCertificates.selfSigned("bot CA"),
            CaBundle.DATABASE, TestCertificates.selfSigned("database CA"), CaBundle.KUBERNETES, TestCertificates.selfSigned("kubernetes CA"),
            CaBundle.SERVICE, TestCertificates.selfSigned("service CA"));
    private static final CaBundle BUNDLE = new CaBundle("sigil.local", TestCertificates.SSH_CA, TestCertificates.SSH_CA,
            CAS.get(CaBundle.BOT), CaBundle.STANDBY, 1, null, null, null, null, CAS,
            CAS.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue()))));

    @Test
    void identityApplicationAndSvidNameTheBotCa() {
        assertThat(file(render(OutputRequest.IDENTITY, null), IdentityOutput.TLS_CA)).isEqualTo(pem(CaBundle.BOT));
        assertThat(file(render(OutputRequest.APPLICATION, null), "tls.cas")).isEqualTo(pem(CaBundle.BOT));
        assertThat(file(render(OutputRequest.WORKLOAD_IDENTITY, null), "bundle.pem")).isEqualTo(pem(CaBundle.BOT));
    }

    @Test
    void databaseOutputsNameTheDatabaseCa() {
        assertThat(file(render(OutputRequest.DATABASE, "tls"), "tls.cas")).isEqualTo(pem(CaBundle.DATABASE));
        assertThat(file(render(OutputRequest.DATABASE, "mongo"), "mongo.cas")).isEqualTo(pem(CaBundle.DATABASE));
        assertThat(file(render(OutputRequest.DATABASE, "cockroach"), "cockroach/ca.crt")).isEqualTo(pem(CaBundle.DATABASE));
    }

    @Test
    void theKubeconfigNamesTheKubernetesCa() {
        String kubeconfig = file(render(OutputRequest.KUBERNETES, null), "kubeconfig.yaml");
        String data = kubeconfig.lines().filter(l -> l.contains("certificate-authority-data:")).findFirst().orElseThrow()
                .replaceAll(".*certificate-authority-data: *", "").trim();
        assertThat(new String(Base64.getDecoder().decode(data), StandardCharsets.US_ASCII)).isEqualTo(pem(CaBundle.KUBERNETES));
    }

    private static List<OutputFile> render(String kind, String format) {
        Credentials c = new Credentials("ci", kind, OutputRequest.IDENTITY.equals(kind) ? TestCertificates.SSH_CERT : null,
                TestCertificates.PEM, OutputRequest.IDENTITY.equals(kind) ? List.of("deploy") : List.of(),
                Instant.now().plusSeconds(3600), null, null, BUNDLE, KEY);
        return Outputs.render(c, new RenderOptions(format, null), new DeliverySpec.Destination("memory", null));
    }

    private static String file(List<OutputFile> files, String name) {
        return files.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(name + " in "
                + files.stream().map(OutputFile::name).toList())).content();
    }

    private static String pem(String purpose) {
        return Outputs.pemBundle(List.of(CAS.get(purpose)));
    }
}
