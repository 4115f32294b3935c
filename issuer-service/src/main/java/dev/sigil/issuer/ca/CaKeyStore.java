package dev.sigil.issuer.ca;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Security;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;

import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * Sigil's CA keys on disk: generated on first start, then loaded, so a restart keeps the same CA. Private key
 * files are created 0600 and written atomically; they never leave this process.
 */
public final class CaKeyStore {
    public static final Provider PROVIDER = bouncyCastle();
    private static final Duration CA_LIFETIME = Duration.ofDays(3650);

    /** Key algorithms for new CA keys: Ed25519 SSH and ECDSA P-256 X.509 by default, RSA-2048 for legacy clients. */
    public enum Suite {
        DEFAULT, LEGACY
    }

    private final Path directory;
    private final Suite suite;

    public CaKeyStore(Path directory) {
        this(directory, Suite.DEFAULT);
    }

    /** Keys already on disk are used whatever their type; {@code suite} decides only what new keys are. */
    public CaKeyStore(Path directory, Suite suite) {
        this.directory = directory;
        this.suite = suite;
    }

    public SshCertificateAuthority sshUserCa() {
        return new SshCertificateAuthority(keyPair("ssh_user_ca.key", this::newSshKeys));
    }

    public SshCertificateAuthority sshHostCa() {
        return new SshCertificateAuthority(keyPair("ssh_host_ca.key", this::newSshKeys));
    }

    private KeyPair newSshKeys() throws GeneralSecurityException {
        return suite == Suite.LEGACY ? rsa() : KeyPairGenerator.getInstance("Ed25519", PROVIDER).generateKeyPair();
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA", PROVIDER);
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    /**
     * The X.509 CA of one purpose ({@code CaBundle.BOT}, {@code DATABASE}, {@code KUBERNETES}, {@code SERVICE}),
     * each with its own key. The bot CA keeps the files of the single X.509 CA from before the split
     * ({@code tls_ca.key}, {@code tls_ca.crt}), so an existing cluster's bots keep verifying; the others are
     * {@code <purpose>_ca.key} and {@code .crt}, created when missing. {@code label} names the cluster (and generation).
     */
    public X509CertificateAuthority x509Ca(String purpose, String label) {
        String file = "bot".equals(purpose) ? "tls_ca" : purpose + "_ca";
        KeyPair keys = keyPair(file + ".key", () -> {
            if (suite == Suite.LEGACY) {
                return rsa();
            }
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", PROVIDER);
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        });
        Path certFile = directory.resolve(file + ".crt");
        try {
            if (!Files.exists(certFile)) {
                Instant now = Instant.now();
                X509Certificate created = X509CertificateAuthority.selfSigned(keys, purpose, label,
                        now.minus(Duration.ofHours(1)), now.plus(CA_LIFETIME));
                writeAtomically(certFile, X509CertificateAuthority.pem(created), false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the CA certificate " + certFile, e);
        }
        try (Reader reader = Files.newBufferedReader(certFile); PEMParser parser = new PEMParser(reader)) {
            return new X509CertificateAuthority(keys, toCertificate((X509CertificateHolder) parser.readObject()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CA certificate " + certFile, e);
        }
    }

    private interface Generator {
        KeyPair generate() throws GeneralSecurityException;
    }

    private KeyPair keyPair(String file, Generator generator) {
        Path path = directory.resolve(file);
        try {
            if (!Files.exists(path)) {
                writeAtomically(path, X509CertificateAuthority.pem(generator.generate().getPrivate()), true);
            }
            try (Reader reader = Files.newBufferedReader(path); PEMParser parser = new PEMParser(reader)) {
                Object parsed = parser.readObject();
                JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(PROVIDER);
                if (parsed instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair);
                }
                PrivateKeyInfo info = (PrivateKeyInfo) parsed;
                java.security.PrivateKey privateKey = converter.getPrivateKey(info);
                return new KeyPair(publicKeyOf(privateKey), privateKey);
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load or create the CA key " + path + ": " + e.getMessage(), e);
        }
    }

    // EC keys are written as SEC1 pairs; Ed25519 keys as PKCS#8, from which BouncyCastle derives the public half.
    private static java.security.PublicKey publicKeyOf(java.security.PrivateKey privateKey) throws GeneralSecurityException {
        if (privateKey instanceof org.bouncycastle.jcajce.interfaces.EdDSAPrivateKey ed) {
            return ed.getPublicKey();
        }
        throw new GeneralSecurityException("unsupported CA key type " + privateKey.getAlgorithm());
    }

    /** Writes via a temporary file and a rename; a concurrent first start by another replica keeps the first key. */
    private void writeAtomically(Path target, String content, boolean secret) throws IOException {
        Files.createDirectories(directory);
        Path tmp = directory.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        try {
            Files.createLink(target, tmp);
        } catch (FileAlreadyExistsException raced) {
            // another replica created it first: use theirs
        } catch (UnsupportedOperationException noHardLinks) {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static X509Certificate toCertificate(X509CertificateHolder holder) {
        try {
            return new JcaX509CertificateConverter().setProvider(PROVIDER).getCertificate(holder);
        } catch (CertificateException e) {
            throw new IllegalStateException("not a valid certificate", e);
        }
    }

    private static Provider bouncyCastle() {
        Provider existing = Security.getProvider(BouncyCastleProvider.PROVIDER_NAME);
        if (existing != null) {
            return existing;
        }
        Provider provider = new BouncyCastleProvider();
        Security.addProvider(provider);
        return provider;
    }
}
