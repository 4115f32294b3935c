package dev.sigil.issuer.ca;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Base64;
import java.util.TreeMap;

import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * Signs OpenSSH certificates (PROTOCOL.certkeys) with a CA key: Ed25519 by default, RSA (rsa-sha2-256) for the
 * legacy suite, through the BouncyCastle provider. No maintained Java library writes OpenSSH certificates with
 * BouncyCastle keys, so the encoding lives here and is checked by real {@code ssh-keygen -L} and {@code sshd} in
 * the tests.
 */
public final class SshCertificateAuthority {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyPair caKeys;
    private final byte[] caPublicBlob;
    private final String keyType;

    public SshCertificateAuthority(KeyPair caKeys) {
        this.caKeys = caKeys;
        try {
            this.caPublicBlob = OpenSSHPublicKeyUtil.encodePublicKey(PublicKeyFactory.createKey(caKeys.getPublic().getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the SSH CA public key", e);
        }
        this.keyType = SshWire.readFirstString(caPublicBlob);
    }

    /** The CA's public key as an OpenSSH line, for {@code TrustedUserCAKeys} or {@code @cert-authority}. */
    public String publicKeyLine() {
        return keyType + " " + Base64.getEncoder().encodeToString(caPublicBlob);
    }
    /** Returns the certificate as an OpenSSH {@code *-cert.pub} line. */
    public String sign(SshCertificateRequest request) {
        String certType = request.subject().type() + "-cert-v01@openssh.com";
        byte[] nonce = new byte[32];
        RANDOM.nextBytes(nonce);
        SshWire extensions = new SshWire();
        // OpenSSH requires extensions sorted by name; data, when there is any, is itself a string inside the string.
        for (var extension : new TreeMap<>(request.extensions()).entrySet()) {
            extensions.string(extension.getKey()).string(extension.getValue().isEmpty() ? new byte[0]
                    : new SshWire().string(extension.getValue()).bytes());
        }
        SshWire tbs = new SshWire()
                .string(certType)
                .string(nonce)
                .raw(SshWire.withoutFirstString(request.subject().blob()))
                .uint64(request.serial())
                .uint32(request.type().wire)
                .string(request.keyId())
                .strings(request.principals())
                .uint64(request.validAfter().getEpochSecond())
                .uint64(request.validBefore().getEpochSecond())
                .string(new byte[0]) // critical options: none
                .string(extensions.bytes())
                .string(new byte[0]) // reserved
                .string(caPublicBlob);
        byte[] toSign = tbs.bytes();
        byte[] signature = signature(toSign);
        byte[] certificate = new SshWire().raw(toSign).string(signature).bytes();
        return certType + " " + Base64.getEncoder().encodeToString(certificate) + " " + request.keyId();
    }

    /** An SSH signature blob: Ed25519, or RSA PKCS#1 v1.5 with SHA-256 ({@code rsa-sha2-256}, never SHA-1). */
    private byte[] signature(byte[] data) {
        boolean rsa = "ssh-rsa".equals(keyType);
        try {
            Signature signer = Signature.getInstance(rsa ? "SHA256withRSA" : "Ed25519", CaKeyStore.PROVIDER);
            signer.initSign(caKeys.getPrivate());
            signer.update(data);
            return new SshWire().string(rsa ? "rsa-sha2-256" : "ssh-ed25519").string(signer.sign()).bytes();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the SSH CA key cannot sign", e);
        }
    }

}
