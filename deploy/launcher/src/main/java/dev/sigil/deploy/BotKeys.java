package dev.sigil.deploy;

import java.security.SecureRandom;
import java.util.Base64;

import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;

/** Throwaway bot keys for load drivers, which only send the public half. */
public final class BotKeys {
    private BotKeys() {
    }

    /** A fresh Ed25519 public key in OpenSSH form ({@code ssh-ed25519 AAAA...}); the private half is dropped. */
    public static String newPublicKey() {
        Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
        generator.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var publicKey = (Ed25519PublicKeyParameters) generator.generateKeyPair().getPublic();
        try {
            return "ssh-ed25519 " + Base64.getEncoder().encodeToString(OpenSSHPublicKeyUtil.encodePublicKey(publicKey));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
