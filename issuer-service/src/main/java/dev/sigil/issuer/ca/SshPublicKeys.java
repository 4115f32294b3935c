package dev.sigil.issuer.ca;

import java.util.Base64;
import java.util.Set;

import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;

/** A holder's public key as sent in an issue request: one OpenSSH {@code authorized_keys} line. */
public record SshPublicKeys(String type, byte[] blob, AsymmetricKeyParameter key) {
    private static final Set<String> ACCEPTED_TYPES = Set.of("ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa");
    private static final int MIN_RSA_BITS = 2048;

    /** Parses and checks the key; the exception message is meant for the person who sent it. */
    public static SshPublicKeys parse(String authorizedKeyLine) {
        if (authorizedKeyLine == null || authorizedKeyLine.isBlank()) {
            throw new IllegalArgumentException("the request has no public key; send the holder's public key in OpenSSH form (ssh-ed25519 AAAA...)");
        }
        String[] parts = authorizedKeyLine.trim().split("\\s+");
        if (parts.length < 2 || !ACCEPTED_TYPES.contains(parts[0])) {
            throw new IllegalArgumentException("the public key is not one of " + ACCEPTED_TYPES + " in OpenSSH form (type, then base64)");
        }
        byte[] blob;
        AsymmetricKeyParameter key;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
            key = OpenSSHPublicKeyUtil.parsePublicKey(blob);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the public key's base64 body does not decode to a " + parts[0] + " key");
        }
        if (key.isPrivate()) {
            throw new IllegalArgumentException("a private key was sent where a public key belongs; never send private keys");
        }
        if (key instanceof RSAKeyParameters rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
            throw new IllegalArgumentException("RSA keys must have at least " + MIN_RSA_BITS + " bits");
        }
        String encodedType = SshWire.readFirstString(blob);
        if (!encodedType.equals(parts[0])) {
            throw new IllegalArgumentException("the key says it is " + parts[0] + " but encodes " + encodedType);
        }
        return new SshPublicKeys(parts[0], blob, key);
    }
}
