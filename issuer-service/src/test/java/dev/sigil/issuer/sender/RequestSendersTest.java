package dev.sigil.issuer.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sigil.contract.Refusal;
import dev.sigil.contract.RequestSignatures;
import dev.sigil.issuer.sender.RequestSenders.SenderRefused;

/** The issuer's check of who signed an issue request: Ed25519 request-signing keys, and the P-256 bus keys before them. */
class RequestSendersTest {
    private static final String VALUE = "{\"requestId\":\"r1\",\"bot\":\"ci\"}";
    private static final Instant NOW = Instant.parse("2026-11-30T01:00:00Z");

    @TempDir
    Path dir;
    private Ca bus;
    private RequestSenders senders;

    @BeforeEach
    void setUp() throws Exception {
        bus = new Ca("Sigil bus CA");
        senders = new RequestSenders(List.of(bus.certificate));
    }

    @Test
    void anEd25519RequestSigningKeyFromTheBusCaNamesItsSender() throws Exception {
        RequestSignatures.Signer signer = RequestSignatures.Signer.fromDirectory(identity(bus, "join-service", true));

        Headers headers = signer.sign(new RecordHeaders(), VALUE);

        assertThat(certificateIn(headers).getPublicKey().getAlgorithm()).isIn("Ed25519", "EdDSA");
        assertThat(senders.verify(headers, VALUE, NOW).principal()).isEqualTo("join-service");
        assertThat(senders.verify(headers, VALUE, NOW).principal()).as("again, from what was remembered").isEqualTo("join-service");
    }

    @Test
    void anEd25519KeyCertifiedByAnotherCaIsRefused() throws Exception {
        Ca stranger = new Ca("Sigil bus CA");
        Headers headers = RequestSignatures.Signer.fromDirectory(identity(stranger, "join-service", true)).sign(new RecordHeaders(), VALUE);

        assertRefused(headers, VALUE, "not valid under Sigil's bus CA");
        assertRefused(headers, VALUE, "not valid under Sigil's bus CA");
    }

    @Test
    void oneSendersCertificateWithAnotherSendersSignatureIsRefused() throws Exception {
        Headers joinService = RequestSignatures.Signer.fromDirectory(identity(bus, "join-service", true)).sign(new RecordHeaders(), VALUE);
        Headers outputWriter = RequestSignatures.Signer.fromDirectory(identity(bus, "output-writer", true)).sign(new RecordHeaders(), VALUE);
        outputWriter.remove(RequestSignatures.CERTIFICATE_HEADER);
        outputWriter.add(joinService.lastHeader(RequestSignatures.CERTIFICATE_HEADER));
        senders.verify(joinService, VALUE, NOW);

        assertRefused(outputWriter, VALUE, "does not verify with the certificate of join-service");
    }

    @Test
    void aTamperedValueIsRefused() throws Exception {
        Headers headers = RequestSignatures.Signer.fromDirectory(identity(bus, "join-service", true)).sign(new RecordHeaders(), VALUE);

        assertRefused(headers, VALUE.replace("ci", "cj"), "signature does not verify");
    }

    @Test
    void anIdentityWithoutARequestSigningKeySignsWithItsP256BusKeyAsBefore() throws Exception {
        Headers headers = RequestSignatures.Signer.fromDirectory(identity(bus, "output-writer", false)).sign(new RecordHeaders(), VALUE);

        assertThat(certificateIn(headers).getPublicKey().getAlgorithm()).isIn("EC", "ECDSA");
        assertThat(senders.verify(headers, VALUE, NOW).principal()).isEqualTo("output-writer");
        assertRefused(headers, VALUE + " ", "signature does not verify");
        Headers foreign = RequestSignatures.Signer.fromDirectory(identity(new Ca("Sigil bus CA"), "output-writer", false))
                .sign(new RecordHeaders(), VALUE);
        assertRefused(foreign, VALUE, "not valid under Sigil's bus CA");
    }

    @Test
    void anEd25519CertificateThatMayDoMoreThanSignIsRefused() throws Exception {
        KeyPair key = KeyPairGenerator.getInstance("Ed25519", RequestSignatures.PROVIDER).generateKeyPair();
        X509Certificate certificate = bus.issue("join-service", key, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign), NOW);
        Path identity = write(dir.resolve("broad"), key.getPrivate(), certificate, RequestSignatures.REQUEST_KEY_FILE,
                RequestSignatures.REQUEST_CERTIFICATE_FILE);

        assertRefused(RequestSignatures.Signer.fromDirectory(identity).sign(new RecordHeaders(), VALUE), VALUE,
                "not a request-signing certificate");
    }

    @Test
    void aRememberedCertificateStillExpires() throws Exception {
        Headers headers = RequestSignatures.Signer.fromDirectory(identity(bus, "join-service", true)).sign(new RecordHeaders(), VALUE);
        senders.verify(headers, VALUE, NOW);

        assertThatThrownBy(() -> senders.verify(headers, VALUE, NOW.plus(Duration.ofDays(2))))
                .isInstanceOfSatisfying(SenderRefused.class, e -> assertThat(e.refusal().message()).contains("expired"));
    }

    @Test
    void rememberedCertificatesAreBounded() throws Exception {
        for (int i = 0; i < RequestSenders.REMEMBERED_CERTIFICATES + 20; i++) {
            Headers headers = RequestSignatures.Signer.fromDirectory(identity(bus, "node-writer-" + i, true))
                    .sign(new RecordHeaders(), VALUE);
            senders.verify(headers, VALUE, NOW);
        }

        assertThat(senders.remembered()).isEqualTo(RequestSenders.REMEMBERED_CERTIFICATES);
    }

    @Test
    void aCertificateWhoseKeyDidNotSignIsNotRemembered() throws Exception {
        KeyPair key = KeyPairGenerator.getInstance("Ed25519", RequestSignatures.PROVIDER).generateKeyPair();
        for (int i = 0; i < 20; i++) {
            X509Certificate certificate = bus.issue("node-writer-" + i, key, new KeyUsage(KeyUsage.digitalSignature), NOW);
            Headers headers = new RecordHeaders().add(RequestSignatures.CERTIFICATE_HEADER,
                    Base64.getEncoder().encode(certificate.getEncoded())).add(RequestSignatures.SIGNATURE_HEADER,
                            Base64.getEncoder().encode(new byte[64]));
            assertRefused(headers, VALUE, "does not verify");
        }

        assertThat(senders.remembered()).isZero();
    }

    @Test
    void aCertificateHeaderWithBytesAfterTheCertificateIsRefused() throws Exception {
        Headers signed = RequestSignatures.Signer.fromDirectory(identity(bus, "join-service", true)).sign(new RecordHeaders(), VALUE);
        byte[] padded = java.util.Arrays.copyOf(certificateIn(signed).getEncoded(), certificateIn(signed).getEncoded().length + 1000);
        Headers headers = new RecordHeaders().add(RequestSignatures.CERTIFICATE_HEADER, Base64.getEncoder().encode(padded))
                .add(signed.lastHeader(RequestSignatures.SIGNATURE_HEADER));
        assertRefused(headers, VALUE, "more than one X.509 certificate");

        Headers huge = new RecordHeaders().add(RequestSignatures.CERTIFICATE_HEADER, new byte[RequestSenders.MAX_CERTIFICATE_HEADER + 1])
                .add(signed.lastHeader(RequestSignatures.SIGNATURE_HEADER));
        assertRefused(huge, VALUE, "over " + RequestSenders.MAX_CERTIFICATE_HEADER + " bytes");
        assertThat(senders.remembered()).isZero();
    }

    private void assertRefused(Headers headers, String value, String why) {
        assertThatThrownBy(() -> senders.verify(headers, value, NOW)).isInstanceOfSatisfying(SenderRefused.class, e -> {
            assertThat(e.refusal().code()).isEqualTo(Refusal.SENDER_NOT_TRUSTED);
            assertThat(e.refusal().message()).contains(why);
        });
    }

    private static X509Certificate certificateIn(Headers headers) throws Exception {
        byte[] der = Base64.getDecoder().decode(headers.lastHeader(RequestSignatures.CERTIFICATE_HEADER).value());
        return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(der));
    }

    /** An identity directory as the launcher's bus CA lays it out; {@code requestSigning}: with the Ed25519 key. */
    private Path identity(Ca ca, String principal, boolean requestSigning) throws Exception {
        Path identity = dir.resolve(ca.hashCode() + "-" + principal);
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC", RequestSignatures.PROVIDER);
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair bus = ec.generateKeyPair();
        write(identity, bus.getPrivate(), ca.issue(principal, bus, new KeyUsage(KeyUsage.digitalSignature), NOW),
                RequestSignatures.KEY_FILE, RequestSignatures.CERTIFICATE_FILE);
        if (requestSigning) {
            KeyPair key = KeyPairGenerator.getInstance("Ed25519", RequestSignatures.PROVIDER).generateKeyPair();
            write(identity, key.getPrivate(), ca.issue(principal, key, new KeyUsage(KeyUsage.digitalSignature), NOW),
                    RequestSignatures.REQUEST_KEY_FILE, RequestSignatures.REQUEST_CERTIFICATE_FILE);
        }
        return identity;
    }

    private static Path write(Path identity, PrivateKey key, X509Certificate certificate, String keyFile, String certificateFile)
            throws Exception {
        Files.createDirectories(identity);
        Files.writeString(identity.resolve(keyFile), pem(new JcaPKCS8Generator(key, null)));
        Files.writeString(identity.resolve(certificateFile), pem(certificate));
        return identity;
    }

    private static String pem(Object object) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object instanceof JcaPKCS8Generator g ? g.generate() : object);
        }
        return out.toString();
    }

    /** A P-256 CA; two of the same name are still two CAs, as a forger's would be. */
    private static final class Ca {
        private final KeyPair key;
        private final X509Certificate certificate;

        Ca(String name) throws Exception {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", RequestSignatures.PROVIDER);
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            key = generator.generateKeyPair();
            X500Name subject = new X500Name("CN=" + name);
            certificate = sign(new JcaX509v3CertificateBuilder(subject, BigInteger.ONE, Date.from(NOW.minusSeconds(3600)),
                    Date.from(NOW.plus(Duration.ofDays(30))), subject, key.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true)));
        }

        X509Certificate issue(String principal, KeyPair subject, KeyUsage usage, Instant now) throws Exception {
            return sign(new JcaX509v3CertificateBuilder(certificate, BigInteger.valueOf(System.nanoTime()),
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), new X500Name("CN=" + principal),
                    subject.getPublic()).addExtension(Extension.keyUsage, true, usage));
        }

        private X509Certificate sign(X509v3CertificateBuilder builder) throws Exception {
            return new JcaX509CertificateConverter().setProvider(RequestSignatures.PROVIDER)
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(RequestSignatures.PROVIDER)
                            .build(key.getPrivate())));
        }
    }
}
