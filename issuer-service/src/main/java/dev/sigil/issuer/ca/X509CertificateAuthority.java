package dev.sigil.issuer.ca;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.security.KeyPair;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import dev.sigil.contract.BotInstance;
import dev.sigil.contract.EventJson;

/** Signs X.509 certificates with Sigil's CA (ECDSA P-256, or RSA-2048 for the legacy suite), through BouncyCastle. */
public final class X509CertificateAuthority {
    private static final JcaX509ExtensionUtils EXTENSIONS = extensionUtils();

    private final KeyPair caKeys;
    private final X509Certificate caCertificate;
    // A ContentSigner wraps one java.security.Signature, which is not thread-safe.
    private final ThreadLocal<ContentSigner> signer;

    public X509CertificateAuthority(KeyPair caKeys, X509Certificate caCertificate) {
        this.caKeys = caKeys;
        this.caCertificate = caCertificate;
        this.signer = ThreadLocal.withInitial(() -> signer(caKeys));
    }

    public X509Certificate caCertificate() {
        return caCertificate;
    }

    public String caCertificatePem() {
        return pem(caCertificate);
    }

    /**
     * A leaf certificate for a bot: the subject and URI SANs given, for the given key purposes, carrying the bot
     * instance (when there is one) so renewals can name it.
     */
    public String issueLeaf(SubjectPublicKeyInfo subject, X500Name name, List<URI> uris, List<KeyPurposeId> purposes,
            BotInstance instance, BigInteger serial, Instant notBefore, Instant notAfter) {
        try {
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
                    X500Name.getInstance(caCertificate.getSubjectX500Principal().getEncoded()), serial,
                    Date.from(notBefore), Date.from(notAfter), name, subject)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            EXTENSIONS.createAuthorityKeyIdentifier(caCertificate))
                    .addExtension(Extension.subjectKeyIdentifier, false, EXTENSIONS.createSubjectKeyIdentifier(subject));
            if (!uris.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(uris.stream()
                        .map(u -> new GeneralName(GeneralName.uniformResourceIdentifier, u.toString())).toArray(GeneralName[]::new)));
            }
            if (instance != null) {
                builder.addExtension(new ASN1ObjectIdentifier(BotInstance.CERTIFICATE_EXTENSION_OID), false,
                        new DERUTF8String(EventJson.write(instance)));
            }
            return pem(builder.build(signer.get()));
        } catch (IOException | CertificateEncodingException e) {
            throw new IllegalStateException("could not build the certificate for " + name, e);
        }
    }

    /**
     * An X.500 name: CN, then any number of OUs and Os. Each value goes in as a UTF8String as it is: given as text,
     * BouncyCastle would read a value starting with {@code #} as hex DER, and a bad one throws.
     */
    public static X500Name name(String commonName, List<String> organizationalUnits, List<String> organizations) {
        X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE);
        if (commonName != null) {
            name.addRDN(BCStyle.CN, new DERUTF8String(commonName));
        }
        organizationalUnits.forEach(ou -> name.addRDN(BCStyle.OU, new DERUTF8String(ou)));
        organizations.forEach(o -> name.addRDN(BCStyle.O, new DERUTF8String(o)));
        return name.build();
    }

    /** A TLS server certificate for one of Sigil's own services, for the given DNS names and IP addresses. */
    public String issueServerCertificate(SubjectPublicKeyInfo subject, String commonName, List<String> names,
            BigInteger serial, Instant notBefore, Instant notAfter) {
        GeneralName[] sans = names.stream()
                .map(n -> new GeneralName(n.matches("[0-9.]+|.*:.*") ? GeneralName.iPAddress : GeneralName.dNSName, n))
                .toArray(GeneralName[]::new);
        try {
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
                    X500Name.getInstance(caCertificate.getSubjectX500Principal().getEncoded()), serial,
                    Date.from(notBefore), Date.from(notAfter),
                    name(commonName, List.of(), List.of()), subject)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            EXTENSIONS.createAuthorityKeyIdentifier(caCertificate));
            return pem(builder.build(signer.get()));
        } catch (IOException | CertificateEncodingException e) {
            throw new IllegalStateException("could not build the server certificate for " + commonName, e);
        }
    }

    /** A self-signed CA certificate for one purpose of a new cluster; its subject names the purpose. */
    static X509Certificate selfSigned(KeyPair keys, String purpose, String clusterName, Instant notBefore, Instant notAfter) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, clusterName).addRDN(BCStyle.OU, purpose)
                .addRDN(BCStyle.CN, "Sigil " + purpose + " CA " + clusterName).build();
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(127, new java.security.SecureRandom()), Date.from(notBefore), Date.from(notAfter),
                    subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            EXTENSIONS.createSubjectKeyIdentifier(keys.getPublic()));
            return CaKeyStore.toCertificate(builder.build(signer(keys)));
        } catch (IOException e) {
            throw new IllegalStateException("could not build the CA certificate", e);
        }
    }

    static String pem(Object object) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object instanceof X509CertificateHolder h ? h : object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static ContentSigner signer(KeyPair keys) {
        try {
            String algorithm = "RSA".equals(keys.getPrivate().getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaContentSignerBuilder(algorithm).setProvider(CaKeyStore.PROVIDER).build(keys.getPrivate());
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("BouncyCastle cannot sign with the CA key", e);
        }
    }

    private static JcaX509ExtensionUtils extensionUtils() {
        try {
            return new JcaX509ExtensionUtils();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
