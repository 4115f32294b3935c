package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.sigil.contract.EventJson;

/** A bound key pair joins again after losing its identity, as often as its recovery limit allows, counted by the issuer. */
@ExtendWith(SigilCluster.class)
class BoundKeypairEndToEndTest {
    private final Ed25519PrivateKeyParameters key = Bots.newKey();

    @Test
    void aBoundKeyRecoversUpToItsLimitThenIsRefused(LocalCluster cluster) throws Exception {
        String token = boundToken(cluster, Map.of("recovery_limit", "1"));

        assertThat(join(cluster, token).status()).as("first join").isEqualTo(200);
        assertThat(join(cluster, token).status()).as("one recovery").isEqualTo(200);
        Bots.Answer third = join(cluster, token);
        assertThat(third.status()).isEqualTo(403);
        assertThat(third.code()).isEqualTo("JOIN_LIMIT_REACHED");
    }

    @Test
    void aTokenPastItsRegistrationDeadlineCannotBeJoinedFirst(LocalCluster cluster) throws Exception {
        String token = boundToken(cluster, Map.of("registration_deadline", Instant.now().minusSeconds(60).toString()));
        assertThat(join(cluster, token).code()).isEqualTo("REGISTRATION_CLOSED");
    }

    private String boundToken(LocalCluster cluster, Map<String, String> limits) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String name = "edge-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> config = new java.util.HashMap<>(limits);
        config.put("public_key", "ssh-ed25519 " + Base64.getEncoder().encodeToString(OpenSSHPublicKeyUtil.encodePublicKey(key.generatePublicKey())));
        Bots.Answer created = Bots.post(cluster, "/v1/admin/tokens", EventJson.write(Map.of("name", name, "bot", bot,
                "joinMethod", "bound_keypair", "ttl", "24h", "config", config)), null);
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        return name;
    }

    private Bots.Answer join(LocalCluster cluster, String token) throws Exception {
        String challenge = Bots.challenge(cluster);
        return Bots.post(cluster, "/v1/join", EventJson.write(Map.of("joinMethod", "bound_keypair", "token", token,
                "challenge", challenge, "signature", Bots.sign(key, challenge),
                "publicKey", Bots.newPublicKey())), null);
    }

}
