package dev.sigil.join.joinmethod.boundkeypair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;
import org.junit.jupiter.api.Test;

import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.join.JoinTokenView;
import dev.sigil.join.joinmethod.Challenges;
import dev.sigil.join.joinmethod.JoinRequest;

class BoundKeypairJoinMethodTest {
    private final JoinTokenView tokens = new JoinTokenView();
    private final Challenges challenges = new Challenges(Optional.of("key"));
    private final BoundKeypairJoinMethod method = new BoundKeypairJoinMethod(tokens, challenges);
    private final Ed25519PrivateKeyParameters bound = newKey();

    BoundKeypairJoinMethodTest() throws Exception {
        String publicKey = "ssh-ed25519 " + Base64.getEncoder().encodeToString(OpenSSHPublicKeyUtil.encodePublicKey(bound.generatePublicKey()));
        JoinTokenSpec token = new JoinTokenSpec("edge-box", "edge-bot", "bound_keypair", null, List.of(), Map.of("public_key", publicKey));
        method.checkToken(token);
        tokens.remember(token);
    }

    @Test
    void theBoundKeySigningAFreshChallengeJoinsAgainAndAgain() {
        for (int i = 0; i < 2; i++) {
            String challenge = challenges.issue();
            var join = method.verify(request(challenge, sign(bound, challenge)));
            assertThat(join.bot()).isEqualTo("edge-bot");
            assertThat(join.attestation().proofId()).isEqualTo("challenge:" + challenge);
        }
    }

    @Test
    void anotherKeyOrAnotherChallengeIsRefused() {
        String challenge = challenges.issue();
        assertRefused(request(challenge, sign(newKey(), challenge)), "SIGNATURE_INVALID");
        assertRefused(request(challenge, sign(bound, challenges.issue())), "SIGNATURE_INVALID");
        assertRefused(request(challenge, "not base64!"), "SIGNATURE_INVALID");
        assertRefused(request("forged", sign(bound, "forged")), "CHALLENGE_INVALID");
    }

    @Test
    void aTokenWithoutAnEd25519KeyCannotBeCreated() {
        assertThatThrownBy(() -> method.checkToken(new JoinTokenSpec("t", "b", "bound_keypair", null, List.of(), Map.of())))
                .hasMessageContaining("public_key");
    }

    private static JoinRequest request(String challenge, String signature) {
        return new JoinRequest("bound_keypair", "edge-box", null, challenge, signature, null, "ssh-ed25519 AAAA", null);
    }

    private void assertRefused(JoinRequest request, String code) {
        assertThatThrownBy(() -> method.verify(request)).isInstanceOfSatisfying(RefusalException.class,
                e -> assertThat(e.refusal().code()).isEqualTo(code));
    }

    private static String sign(Ed25519PrivateKeyParameters key, String challenge) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, key);
        byte[] message = challenge.getBytes(StandardCharsets.UTF_8);
        signer.update(message, 0, message.length);
        return Base64.getEncoder().encodeToString(signer.generateSignature());
    }

    private static Ed25519PrivateKeyParameters newKey() {
        Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
        generator.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        return (Ed25519PrivateKeyParameters) generator.generateKeyPair().getPrivate();
    }
}
