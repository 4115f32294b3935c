package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.sigil.contract.EventJson;
import dev.sigil.join.joinmethod.FakePlatform;

/**
 * A GitHub Actions job joins with its OIDC token, through the real services and broker; join-service fetches the
 * keys from a loopback stand-in for GitHub. A replayed token is refused by issuer-service, exactly once.
 */
@ExtendWith(SigilCluster.class)
class GithubJoinEndToEndTest {
    private static final FakePlatform github = SigilCluster.GITHUB;

    @Test
    void aWorkflowJoinsWithItsOidcTokenOnceAndAReplayIsRefused(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String tokenName = "gh-" + UUID.randomUUID().toString().substring(0, 8);
        Bots.Answer created = Bots.post(cluster, "/v1/admin/tokens", EventJson.write(Map.of("name", tokenName, "bot", bot,
                "joinMethod", "github", "allow", List.of(Map.of("repository", "acme/app")),
                "config", Map.of("issuer", github.url(), "audience", "sigil-e2e"))), null);
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        assertThat(created.body().has("token")).as("delegated tokens have no secret").isFalse();

        String idToken = github.sign(FakePlatform.claims(github.url(), "sigil-e2e",
                Map.of("repository", "acme/app", "ref", "refs/heads/main")).build());
        Bots.Answer joined = githubJoin(cluster, tokenName, idToken);
        assertThat(joined.status()).as(joined.body().toString()).isEqualTo(200);
        assertThat(joined.body().at("/identity/principals/0").asText()).isEqualTo("deploy");

        Bots.Answer replayed = githubJoin(cluster, tokenName, idToken);
        assertThat(replayed.status()).isEqualTo(401);
        assertThat(replayed.code()).isEqualTo("JWT_REPLAYED");

        String otherRepo = github.sign(FakePlatform.claims(github.url(), "sigil-e2e", Map.of("repository", "evil/app")).build());
        assertThat(githubJoin(cluster, tokenName, otherRepo).code()).isEqualTo("ALLOW_RULES_NOT_MATCHED");
    }

    @Test
    void reJoiningWithThePreviousIdentityKeepsTheBotInstance(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String tokenName = "gh-rejoin-" + UUID.randomUUID().toString().substring(0, 8);
        Bots.post(cluster, "/v1/admin/tokens", EventJson.write(Map.of("name", tokenName, "bot", bot, "joinMethod", "github",
                "allow", List.of(Map.of("repository", "acme/app")), "config", Map.of("issuer", github.url(), "audience", "sigil-e2e"))),
                null);
        var key = Bots.newKey();
        Bots.Answer first = Bots.post(cluster, "/v1/join", EventJson.write(Map.of("joinMethod", "github", "token", tokenName,
                "idToken", freshToken(), "publicKey", Bots.publicKey(key))), null);
        String challenge = Bots.challenge(cluster);

        Bots.Answer again = Bots.post(cluster, "/v1/join", EventJson.write(Map.of("joinMethod", "github", "token", tokenName,
                "idToken", freshToken(), "publicKey", Bots.newPublicKey(), "previousIdentity", Map.of(
                        "certificate", first.body().at("/identity/tlsCertificate").asText(), "challenge", challenge,
                        "signature", Bots.sign(key, challenge)))), null);

        assertThat(again.status()).as(again.body().toString()).isEqualTo(200);
        assertThat(again.body().at("/identity/instanceId").asText()).isEqualTo(first.body().at("/identity/instanceId").asText());
        assertThat(again.body().at("/identity/generation").asLong()).isEqualTo(2);
        Bots.Answer fresh = Bots.post(cluster, "/v1/join", EventJson.write(Map.of("joinMethod", "github", "token", tokenName,
                "idToken", freshToken(), "publicKey", Bots.newPublicKey())), null);
        assertThat(fresh.body().at("/identity/instanceId").asText()).as("without it, a new instance")
                .isNotEqualTo(first.body().at("/identity/instanceId").asText());
    }

    private static String freshToken() throws Exception {
        return github.sign(FakePlatform.claims(github.url(), "sigil-e2e", Map.of("repository", "acme/app")).build());
    }

    private static Bots.Answer githubJoin(LocalCluster cluster, String tokenName, String idToken) throws Exception {
        return Bots.post(cluster, "/v1/join", EventJson.write(Map.of("joinMethod", "github", "token", tokenName,
                "idToken", idToken, "publicKey", Bots.newPublicKey())), null);
    }
}
