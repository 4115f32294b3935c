package dev.sigil.contract;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.apache.kafka.common.header.Headers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Issue requests carry a signature by the sending service's own key, so a record on {@code sigil.issue.requests}
 * is not enough to mint anything: the issuer checks that the key's certificate comes from Sigil's bus CA and
 * names a sender entitled to ask. The certificate and signature travel as Kafka headers; what is signed is a
 * context string and the record's value, which names the request id and the bot.
 *
 * <p>A service's identity is a directory laid out like a Strimzi {@code KafkaUser} Secret: {@code user.key}
 * (PKCS#8 PEM), {@code user.crt} and {@code ca.crt} (the bus CA). The same files authenticate it to Kafka. Beside
 * them the bus CA puts a request-signing key, {@code request-signing.key} (Ed25519, 0600) and
 * {@code request-signing.crt} (same CN, key usage digitalSignature only): with BouncyCastle an Ed25519 signature
 * costs the sender less than half of a P-256 one and the issuer a little less to verify
 * ({@code bench/results/request-signatures.txt}). A directory without them (made before, or a Strimzi Secret) signs
 * with {@code user.key}, which the issuer still accepts.
 */
public final class RequestSignatures {
    public static final String CERTIFICATE_HEADER = "sigil-sender-certificate";
    public static final String SIGNATURE_HEADER = "sigil-signature";
    public static final String KEY_FILE = "user.key";
    public static final String CERTIFICATE_FILE = "user.crt";
    public static final String CA_FILE = "ca.crt";
    public static final String REQUEST_KEY_FILE = "request-signing.key";
    public static final String REQUEST_CERTIFICATE_FILE = "request-signing.crt";
    /** BouncyCastle signs and verifies 6-15 times faster than the JDK's default providers here. */
    public static final Provider PROVIDER = new BouncyCastleProvider();
    private static final byte[] CONTEXT = "sigil issue request v1\n".getBytes(StandardCharsets.US_ASCII);

    /** Signs issue requests as one service, with the key in its identity directory. */
    public static final class Signer {
        private final PrivateKey key;
        private final byte[] certificate;

        private Signer(PrivateKey key, X509Certificate certificate) throws CertificateException {
            this.key = key;
            this.certificate = certificate.getEncoded();
        }

        /** Signs with the request-signing key if the directory holds one, else with the bus identity's own key. */
        public static Signer fromDirectory(Path identity) {
            boolean requestKey = Files.exists(identity.resolve(REQUEST_KEY_FILE)) && Files.exists(identity.resolve(REQUEST_CERTIFICATE_FILE));
            String keyFile = requestKey ? REQUEST_KEY_FILE : KEY_FILE;
            String certificateFile = requestKey ? REQUEST_CERTIFICATE_FILE : CERTIFICATE_FILE;
            try {
                return new Signer(readKey(identity.resolve(keyFile)), readCertificates(identity.resolve(certificateFile)).get(0));
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                throw new IllegalStateException("cannot read the service identity in " + identity + " (" + keyFile + ", "
                        + certificateFile + "): " + e.getMessage(), e);
            }
        }

        /** Adds the certificate and the signature of {@code value} to a record's headers. */
        public Headers sign(Headers headers, String value) {
            try {
                Signature signature = Signature.getInstance(algorithm(key), PROVIDER);
                signature.initSign(key);
                signature.update(CONTEXT);
                signature.update(value.getBytes(StandardCharsets.UTF_8));
                headers.remove(CERTIFICATE_HEADER);
                headers.remove(SIGNATURE_HEADER);
                headers.add(CERTIFICATE_HEADER, Base64.getEncoder().encode(certificate));
                headers.add(SIGNATURE_HEADER, Base64.getEncoder().encode(signature.sign()));
                return headers;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot sign an issue request: " + e.getMessage(), e);
            }
        }
    }

    /** Whether {@code signature} (as carried in the header) is {@code key}'s signature of {@code value}. */
    public static boolean verify(PublicKey key, String value, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(algorithm(key), PROVIDER);
            verifier.initVerify(key);
            verifier.update(CONTEXT);
            verifier.update(value.getBytes(StandardCharsets.UTF_8));
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    public static List<X509Certificate> readCertificates(Path pem) throws IOException, CertificateException {
        List<X509Certificate> certificates = new ArrayList<>();
        for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)))) {
            certificates.add((X509Certificate) c);
        }
        if (certificates.isEmpty()) {
            throw new CertificateException(pem + " holds no certificate");
        }
        return certificates;
    }

    private static PrivateKey readKey(Path pem) throws IOException {
        try (Reader reader = Files.newBufferedReader(pem); PEMParser parser = new PEMParser(reader)) {
            Object object = parser.readObject();
            if (!(object instanceof PrivateKeyInfo info)) {
                throw new IOException(pem + " is not a PKCS#8 private key");
            }
            return new JcaPEMKeyConverter().setProvider(PROVIDER).getPrivateKey(info);
        }
    }

    private static String algorithm(java.security.Key key) {
        return switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new IllegalArgumentException("service keys must be EC, RSA or Ed25519, not " + key.getAlgorithm());
        };
    }

    private RequestSignatures() {
    }
}
