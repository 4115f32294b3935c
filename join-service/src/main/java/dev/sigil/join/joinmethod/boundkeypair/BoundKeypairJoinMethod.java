package dev.sigil.join.joinmethod.boundkeypair;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import jakarta.inject.Singleton;

import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.join.JoinTokenView;
import dev.sigil.join.joinmethod.Challenges;
import dev.sigil.join.joinmethod.JoinMethod;
import dev.sigil.join.joinmethod.JoinRequest;
import dev.sigil.join.joinmethod.VerifiedJoin;

/**
 * A key pair bound to the join token in advance: the bot proves possession by signing a fresh Sigil challenge with
 * the Ed25519 key whose public half the token names ({@code public_key}). Unlike a one-time token it can join again
 * after an outage (as often as its {@code recovery_limit} allows), and nothing secret ever travels. A bot keeps its
 * identity fresh by renewing it; joining again starts a new bot instance.
 */
@Singleton
public class BoundKeypairJoinMethod implements JoinMethod {
    private final JoinTokenView tokens;
    private final Challenges challenges;

    public BoundKeypairJoinMethod(JoinTokenView tokens, Challenges challenges) {
        this.tokens = tokens;
        this.challenges = challenges;
    }

    @Override
    public String name() {
        return "bound_keypair";
    }

    @Override
    public void checkToken(JoinTokenSpec token) {
        boundKey(token);
        limits(token);
    }

    /**
     * The first join must come before {@code registration_deadline} (ISO-8601, optional); after it, the bot may
     * join again {@code recovery_limit} times (default 1) when it lost its identity, e.g. after a long outage.
     */
    static Attestation.JoinLimits limits(JoinTokenSpec token) {
        try {
            String deadline = token.config().get("registration_deadline");
            int recoveries = Integer.parseInt(token.config().getOrDefault("recovery_limit", "1"));
            if (recoveries < 0) {
                throw new IllegalArgumentException("negative");
            }
            return new Attestation.JoinLimits(1 + recoveries, deadline == null ? null : java.time.Instant.parse(deadline));
        } catch (RuntimeException e) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "a 'bound_keypair' join token's recovery_limit must be "
                    + "a whole number from 0 and registration_deadline an ISO-8601 instant like 2030-01-31T00:00:00Z");
        }
    }

    @Override
    public VerifiedJoin verify(JoinRequest request) {
        JoinTokenSpec token = tokens.require(request.token(), name());
        var expires = challenges.verify(request.challenge());
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(request.signature() == null ? "" : request.signature());
        } catch (IllegalArgumentException e) {
            signature = new byte[0];
        }
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, boundKey(token));
        byte[] message = request.challenge().getBytes(StandardCharsets.UTF_8);
        verifier.update(message, 0, message.length);
        if (signature.length != Ed25519PublicKeyParameters.KEY_SIZE * 2 || !verifier.verifySignature(signature)) {
            throw new RefusalException(401, Refusal.SIGNATURE_INVALID, "'signature' is not the base64 Ed25519 signature of "
                    + "the challenge by the key bound to join token '" + token.name() + "'");
        }
        return new VerifiedJoin(token.bot(), new Attestation(name(), token.name(), "challenge:" + request.challenge(), expires,
                limits(token)));
    }

    private Ed25519PublicKeyParameters boundKey(JoinTokenSpec token) {
        String line = token.config().getOrDefault("public_key", "");
        String[] parts = line.trim().split("\\s+");
        try {
            AsymmetricKeyParameter key = OpenSSHPublicKeyUtil.parsePublicKey(Base64.getDecoder().decode(parts[1]));
            if (key instanceof Ed25519PublicKeyParameters ed25519) {
                return ed25519;
            }
        } catch (RuntimeException e) {
            // refused below
        }
        throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "a 'bound_keypair' join token needs config 'public_key': "
                + "the bot's Ed25519 public key in OpenSSH form (ssh-ed25519 AAAA...)");
    }
}
