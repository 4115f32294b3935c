package dev.sigil.issuer.ca;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.TreeMap;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;

/**
 * Signs OpenSSH certificates (PROTOCOL.certkeys) with an Ed25519 CA key, through BouncyCastle's lightweight
 * Ed25519 signer. No maintained Java library writes OpenSSH certificates with BouncyCastle keys, so the
 * encoding lives here and is checked by real {@code ssh-keygen -L} and {@code sshd} in the tests.
 */
public final class SshCertificateAuthority {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Ed25519PrivateKeyParameters caKey;
    private final byte[] caPublicBlob;

    public SshCertificateAuthority(Ed25519PrivateKeyParameters caKey) {
        this.caKey = caKey;
        try {
            this.caPublicBlob = OpenSSHPublicKeyUtil.encodePublicKey(caKey.generatePublicKey());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot encode the SSH CA public key", e);
        }
    }

    /** The CA's public key as an OpenSSH line, for {@code TrustedUserCAKeys} or {@code @cert-authority}. */
    public String publicKeyLine() {
        return "ssh-ed25519 " + Base64.getEncoder().encodeToString(caPublicBlob);
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
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, caKey);
        signer.update(toSign, 0, toSign.length);
        byte[] signature = new SshWire().string("ssh-ed25519").string(signer.generateSignature()).bytes();
        byte[] certificate = new SshWire().raw(toSign).string(signature).bytes();
        return certType + " " + Base64.getEncoder().encodeToString(certificate) + " " + request.keyId();
    }

}
