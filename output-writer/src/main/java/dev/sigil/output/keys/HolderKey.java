package dev.sigil.output.keys;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Base64;

import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.OpenSSHPrivateKeyUtil;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * The key pair a holder (agent or output-writer) generates for an identity, with BouncyCastle. Only the public half
 * is ever sent anywhere; the private half is written to the holder's own destination and nowhere else.
 */
public final class HolderKey {
    private final Ed25519PrivateKeyParameters privateKey;

    private HolderKey(Ed25519PrivateKeyParameters privateKey) {
        this.privateKey = privateKey;
    }

    public static HolderKey generate() {
        Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
        generator.init(new Ed25519KeyGenerationParameters(new java.security.SecureRandom()));
        AsymmetricCipherKeyPair pair = generator.generateKeyPair();
        return new HolderKey((Ed25519PrivateKeyParameters) pair.getPrivate());
    }

    /** The key of an identity already on disk ({@code tlskey}, PKCS#8 PEM), for renewing it. */
    public static HolderKey fromPkcs8(String pem) {
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            PemObject object = reader.readPemObject();
            if (object == null || !(PrivateKeyFactory.createKey(object.getContent()) instanceof Ed25519PrivateKeyParameters key)) {
                throw new IllegalArgumentException("not an Ed25519 PKCS#8 private key");
            }
            return new HolderKey(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An Ed25519 key read from a file in OpenSSH's own format (what {@code ssh-keygen -t ed25519 -N ''} writes) or as
     * PKCS#8 PEM: a bound key pair an operator made, or the one the agent keeps in its storage.
     */
    public static HolderKey read(String pem) {
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            PemObject object = reader.readPemObject();
            if (object == null) {
                throw new IllegalArgumentException("not a PEM private key");
            }
            Object key = object.getType().equals("OPENSSH PRIVATE KEY")
                    ? OpenSSHPrivateKeyUtil.parsePrivateKeyBlob(object.getContent())
                    : PrivateKeyFactory.createKey(object.getContent());
            if (!(key instanceof Ed25519PrivateKeyParameters ed25519)) {
                throw new IllegalArgumentException("not an Ed25519 private key");
            }
            return new HolderKey(ed25519);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalStateException e) {
            // BouncyCastle's word for an encrypted or malformed OpenSSH key
            throw new IllegalArgumentException("not an unencrypted Ed25519 private key (" + e.getMessage() + ")");
        }
    }

    /** Signs a message with this key (Ed25519), proving possession without showing the key. */
    public byte[] sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, privateKey);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    /** The public key as an OpenSSH {@code authorized_keys} line: what goes into issue requests. */
    public String publicKeyLine() {
        try {
            return "ssh-ed25519 " + Base64.getEncoder()
                    .encodeToString(OpenSSHPublicKeyUtil.encodePublicKey(privateKey.generatePublicKey()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The private key in OpenSSH's own format, which {@code ssh -i} reads. */
    public String openSshPrivateKey() {
        try {
            return pem("OPENSSH PRIVATE KEY", OpenSSHPrivateKeyUtil.encodePrivateKey(privateKey));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The same private key as PKCS#8 PEM, which OpenSSL and TLS clients read. Written as version 1 (no embedded
     * public key): OpenSSL 3.0 refuses BouncyCastle's default version 2 encoding of Ed25519 keys.
     */
    public String pkcs8PrivateKey() {
        try {
            PrivateKeyInfo info = new PrivateKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
                    new DEROctetString(privateKey.getEncoded()));
            return pem("PRIVATE KEY", info.getEncoded());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return "HolderKey[" + publicKeyLine() + "]";
    }
}
