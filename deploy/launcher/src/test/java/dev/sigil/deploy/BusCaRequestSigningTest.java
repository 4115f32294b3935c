package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sigil.contract.BusIdentity;
import dev.sigil.contract.RequestSignatures;

/** The request-signing key the bus CA gives every client identity, beside its Kafka key. */
class BusCaRequestSigningTest {
    @TempDir
    Path dir;

    @Test
    void aClientIdentityGetsAnEd25519RequestSigningKeyWithItsPrincipalThatMaySignOnly() throws Exception {
        BusCa ca = new BusCa(dir);
        Path identity = ca.identity("join-service");

        X509Certificate bus = BusCa.readCertificate(identity.resolve(BusIdentity.CERTIFICATE_FILE));
        X509Certificate requests = BusCa.readCertificate(identity.resolve(RequestSignatures.REQUEST_CERTIFICATE_FILE));
        requests.verify(ca.certificate().getPublicKey());
        assertThat(requests.getPublicKey().getAlgorithm()).isIn("Ed25519", "EdDSA");
        assertThat(requests.getSubjectX500Principal()).isEqualTo(bus.getSubjectX500Principal());
        assertThat(requests.getKeyUsage()).startsWith(true).containsOnlyOnce(true);
        assertThat(requests.getBasicConstraints()).isEqualTo(-1);
        assertThat(Files.getPosixFilePermissions(identity.resolve(RequestSignatures.REQUEST_KEY_FILE)))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        Headers signed = RequestSignatures.Signer.fromDirectory(identity).sign(new RecordHeaders(), "{}");
        assertThat(signed.lastHeader(RequestSignatures.CERTIFICATE_HEADER).value())
                .isEqualTo(java.util.Base64.getEncoder().encode(requests.getEncoded()));
    }

    @Test
    void anIdentityMadeBeforeRequestSigningKeysGetsOneAndKeepsItsKafkaKey() throws Exception {
        BusCa ca = new BusCa(dir);
        Path identity = ca.identity("output-writer");
        Files.delete(identity.resolve(RequestSignatures.REQUEST_KEY_FILE));
        Files.delete(identity.resolve(RequestSignatures.REQUEST_CERTIFICATE_FILE));
        String kafkaKey = Files.readString(identity.resolve(BusIdentity.KEY_FILE));

        ca.identity("output-writer");

        assertThat(Files.readString(identity.resolve(BusIdentity.KEY_FILE))).isEqualTo(kafkaKey);
        assertThat(identity.resolve(RequestSignatures.REQUEST_KEY_FILE)).exists();
        assertThat(identity.resolve(RequestSignatures.REQUEST_CERTIFICATE_FILE)).exists();
    }

    @Test
    void theBrokerAsksTheIssuerForNothingSoHasNoRequestSigningKey() {
        Path broker = new BusCa(dir).brokerIdentity();

        assertThat(List.of(RequestSignatures.REQUEST_KEY_FILE, RequestSignatures.REQUEST_CERTIFICATE_FILE))
                .allSatisfy(file -> assertThat(broker.resolve(file)).doesNotExist());
    }
}
