package dev.sigil.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import dev.sigil.contract.BusIdentity;
import dev.sigil.contract.RequestSignatures;

/**
 * The bus CA: Sigil's internal service-identity CA, made at first start under {@code <home>/bus/ca} (key 0600). It
 * issues each process a client certificate whose CN is its Kafka principal, kept as an identity directory laid out
 * like a Strimzi KafkaUser Secret ({@link BusIdentity}) under {@code <home>/bus/identities/<principal>}; made once and
 * reused, re-issued only when it nears its end or the CA changed. ECDSA P-256: cheap handshakes. Each client
 * identity also gets a request-signing key ({@link RequestSignatures#REQUEST_KEY_FILE}, Ed25519, same CN, key usage
 * digitalSignature only), with which services sign issue requests: cheaper to sign than P-256 and not dearer to
 * verify ({@code bench/results/request-signatures.txt}).
 */
public final class BusCa {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final Duration CA_LIFETIME = Duration.ofDays(3650);
    private static final Duration LIFETIME = Duration.ofDays(365);
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final PrivateKey caKey;
    private final X509Certificate caCertificate;

    /** Opens the bus CA under {@code dir}, making it on first use. */
    public BusCa(Path dir) {
        this(dir, "Sigil bus CA");
    }

    /** A bus CA of another name: the tests make a stranger one whose certificates the broker must refuse. */
    public BusCa(Path dir, String name) {
        this.dir = dir;
        try {
            Path key = dir.resolve("ca/ca.key");
            Path certificate = dir.resolve("ca/ca.crt");
            if (!Files.exists(key) || !Files.exists(certificate)) {
                KeyPair pair = newKeyPair();
                X509Certificate ca = sign(new X500Name("CN=" + name + ",O=Sigil"), pair, pair.getPrivate(), null, CA_LIFETIME, true, false, null);
                Files.createDirectories(key.getParent());
                writeSecret(key, pem(pair.getPrivate()));
                writePublic(certificate, pem(ca));
            }
            this.caKey = readKey(key);
            this.caCertificate = readCertificate(certificate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make or read the bus CA under " + dir, e);
        }
    }

    public X509Certificate certificate() {
        return caCertificate;
    }

    /** The broker's identity: also a server certificate for 127.0.0.1 and localhost, which clients check. */
    public Path brokerIdentity() {
        return identity(BusAcls.BROKER, true);
    }

    /** The identity directory of {@code principal}, made on first use. */
    public Path identity(String principal) {
        return identity(principal, false);
    }

    private synchronized Path identity(String principal, boolean server) {
        if (!principal.matches("[a-z0-9][a-z0-9.-]{0,62}")) {
            throw new IllegalArgumentException("not a principal name: " + principal);
        }
        Path id = dir.resolve("identities").resolve(principal);
        try {
            if (!current(id, BusIdentity.CERTIFICATE_FILE, BusIdentity.KEY_FILE)) {
                Files.createDirectories(id);
                Files.setPosixFilePermissions(id, PosixFilePermissions.fromString("rwx------"));
                KeyPair pair = newKeyPair();
                X509Certificate certificate = sign(new X500Name("CN=" + principal), pair, caKey, caCertificate, LIFETIME, false, server,
                        server ? new GeneralNames(new GeneralName[] { new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                                new GeneralName(GeneralName.dNSName, "localhost") }) : null);
                writeSecret(id.resolve(BusIdentity.KEY_FILE), pem(pair.getPrivate()));
                writePublic(id.resolve(BusIdentity.CERTIFICATE_FILE), pem(certificate));
                writePublic(id.resolve(BusIdentity.CA_FILE), pem(caCertificate));
            }
            // The broker asks the issuer for nothing; every client might (the issuer decides who is entitled).
            if (!server && !current(id, RequestSignatures.REQUEST_CERTIFICATE_FILE, RequestSignatures.REQUEST_KEY_FILE)) {
                KeyPair pair = newRequestSigningKeyPair();
                X509Certificate certificate = signRequestSigning(new X500Name("CN=" + principal), pair);
                writeSecret(id.resolve(RequestSignatures.REQUEST_KEY_FILE), pem(pair.getPrivate()));
                writePublic(id.resolve(RequestSignatures.REQUEST_CERTIFICATE_FILE), pem(certificate));
            }
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue the bus identity of " + principal, e);
        }
    }

    /** Whether the certificate and key there were issued by this CA and are good for a while yet. */
    private boolean current(Path id, String certificateFile, String keyFile) throws IOException {
        Path certificate = id.resolve(certificateFile);
        if (!Files.exists(certificate) || !Files.exists(id.resolve(keyFile)) || !Files.exists(id.resolve(BusIdentity.CA_FILE))) {
            return false;
        }
        try {
            X509Certificate c = readCertificate(certificate);
            c.verify(caCertificate.getPublicKey());
            return c.getNotAfter().toInstant().isAfter(Instant.now().plus(RENEW_BEFORE));
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", BC);
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static KeyPair newRequestSigningKeyPair() throws GeneralSecurityException {
        return KeyPairGenerator.getInstance("Ed25519", BC).generateKeyPair();
    }

    /** A request-signing certificate: signs issue requests and nothing else (no TLS, no certificates). */
    private X509Certificate signRequestSigning(X500Name subject, KeyPair pair) throws GeneralSecurityException, IOException {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                X500Name.getInstance(caCertificate.getSubjectX500Principal().getEncoded()), new BigInteger(127, RANDOM),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(LIFETIME)), subject, pair.getPublic());
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()));
        builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(caCertificate));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        try {
            X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(BC).build(caKey));
            return new JcaX509CertificateConverter().setProvider(BC).getCertificate(holder);
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static X509Certificate sign(X500Name subject, KeyPair pair, PrivateKey issuerKey, X509Certificate issuer,
            Duration lifetime, boolean ca, boolean server, GeneralNames names) throws GeneralSecurityException, IOException {
        Instant now = Instant.now();
        X500Name issuerName = issuer == null ? subject : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName, new BigInteger(127, RANDOM),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(lifetime)), subject, pair.getPublic());
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()));
        if (ca) {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuer));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            // Every process is a TLS client of the broker; the broker is also a server (and a client of its controller).
            builder.addExtension(Extension.extendedKeyUsage, false, server
                    ? new ExtendedKeyUsage(new KeyPurposeId[] { KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth })
                    : new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        }
        if (names != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, names);
        }
        try {
            X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(BC).build(issuerKey));
            return new JcaX509CertificateConverter().setProvider(BC).getCertificate(holder);
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            // PKCS#8, unencrypted ("PRIVATE KEY"): what Kafka's PEM key store and Strimzi's user.key hold.
            writer.writeObject(object instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : object);
        }
        return out.toString();
    }

    private static PrivateKey readKey(Path file) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(Files.readString(file, StandardCharsets.US_ASCII)))) {
            return new JcaPEMKeyConverter().setProvider(BC).getPrivateKey(PrivateKeyInfo.getInstance(parser.readObject()));
        }
    }

    static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
        try (PEMParser parser = new PEMParser(new StringReader(Files.readString(file, StandardCharsets.US_ASCII)))) {
            return new JcaX509CertificateConverter().setProvider(BC).getCertificate((X509CertificateHolder) parser.readObject());
        }
    }

    /** Written 0600 from the start (a temporary file in the same directory, then moved), so no reader ever sees it. */
    private static void writeSecret(Path file, String content) throws IOException {
        write(file, content, "rw-------");
    }

    private static void writePublic(Path file, String content) throws IOException {
        write(file, content, "rw-r--r--");
    }

    private static void write(Path file, String content, String permissions) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), ".tmp-", "", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, content, StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(permissions));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
