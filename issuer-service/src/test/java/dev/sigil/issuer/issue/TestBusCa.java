package dev.sigil.issuer.issue;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

import dev.sigil.contract.RequestSignatures;

/**
 * A bus CA for tests: issues service identities (user.key, user.crt, ca.crt, and the Ed25519 request-signing.key and
 * request-signing.crt that sign issue requests) as the launcher does.
 */
final class TestBusCa {
    private final Path dir;
    private final KeyPair caKey;
    private final X509CertificateHolder caCertificate;

    TestBusCa(Path dir) throws Exception {
        this.dir = dir;
        this.caKey = ecKey();
        X500Name name = new X500Name("CN=test bus CA");
        this.caCertificate = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plusSeconds(3600)), name, caKey.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(RequestSignatures.PROVIDER).build(caKey.getPrivate()));
    }

    /** The identity directory of a principal, made on first use. */
    Path identity(String principal) throws Exception {
        Path identity = dir.resolve(principal);
        if (Files.isDirectory(identity)) {
            return identity;
        }
        Files.createDirectories(identity);
        KeyPair key = ecKey();
        X509CertificateHolder certificate = new JcaX509v3CertificateBuilder(caCertificate.getSubject(),
                BigInteger.valueOf(System.nanoTime()), Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plusSeconds(3600)), new X500Name("CN=" + principal), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(RequestSignatures.PROVIDER).build(caKey.getPrivate()));
        Files.writeString(identity.resolve(RequestSignatures.KEY_FILE), pem(new PemObject("PRIVATE KEY", key.getPrivate().getEncoded())));
        Files.writeString(identity.resolve(RequestSignatures.CERTIFICATE_FILE), pem(certificate));
        Files.writeString(identity.resolve(RequestSignatures.CA_FILE), pem(caCertificate));
        KeyPair requestKey = KeyPairGenerator.getInstance("Ed25519", RequestSignatures.PROVIDER).generateKeyPair();
        X509CertificateHolder requestCertificate = new JcaX509v3CertificateBuilder(caCertificate.getSubject(),
                BigInteger.valueOf(System.nanoTime()), Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plusSeconds(3600)), new X500Name("CN=" + principal), requestKey.getPublic())
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(RequestSignatures.PROVIDER).build(caKey.getPrivate()));
        Files.writeString(identity.resolve(RequestSignatures.REQUEST_KEY_FILE),
                pem(new PemObject("PRIVATE KEY", requestKey.getPrivate().getEncoded())));
        Files.writeString(identity.resolve(RequestSignatures.REQUEST_CERTIFICATE_FILE), pem(requestCertificate));
        return identity;
    }

    RequestSignatures.Signer signer(String principal) throws Exception {
        return RequestSignatures.Signer.fromDirectory(identity(principal));
    }

    private static KeyPair ecKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", RequestSignatures.PROVIDER);
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static String pem(Object object) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object instanceof PemObject p ? (org.bouncycastle.util.io.pem.PemObjectGenerator) () -> p : object);
        }
        return out.toString();
    }
}
