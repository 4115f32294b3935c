package dev.sigil.join.joinmethod.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.join.JoinTokenView;
import dev.sigil.join.joinmethod.FakePlatform;
import dev.sigil.join.joinmethod.JoinRequest;
import dev.sigil.join.joinmethod.ReEncodings;
import dev.sigil.join.joinmethod.oidc.JwtVerifier;
import dev.sigil.join.joinmethod.oidc.OidcDiscovery;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/**
 * {@code validation: in_cluster}: the API server decides through TokenReview, here fabric8's mock API server on
 * loopback. Like a real one it authenticates the tokens it issued however their base64url is spelled (it decodes
 * and re-encodes them), legacy tokens without {@code exp} included, and answers with the audiences the token is
 * valid for among those Sigil asks for; tests can make it answer with other audiences or none.
 */
class InClusterKubernetesJoinTest {
    private static final String SERVICE_ACCOUNT = "system:serviceaccount:ci:deployer";

    private final KubernetesMockServer apiServer = new KubernetesMockServer(false);
    private final FakePlatform cluster = new FakePlatform();
    private final JoinTokenView tokens = new JoinTokenView();
    private final KubernetesJoinMethod method;
    private final String goodToken;
    private final String legacyToken;
    /** The audiences the API server answers with, given those asked for; by default the ones it asked for. */
    private volatile Function<List<String>, List<String>> answeredAudiences = asked -> asked;
    private int reviews;

    InClusterKubernetesJoinTest() throws Exception {
        goodToken = cluster.sign(FakePlatform.claims("https://kubernetes.default.svc", "sigil.test",
                Map.of("sub", SERVICE_ACCOUNT)).build());
        legacyToken = cluster.sign(FakePlatform.claims("kubernetes/serviceaccount", "sigil.test",
                Map.of("sub", SERVICE_ACCOUNT)).expirationTime(null).audience((String) null).build());
        Set<String> issued = Set.of(decoded(goodToken), decoded(legacyToken));
        apiServer.start();
        apiServer.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReply(201, request -> {
            reviews++;
            JsonNode spec;
            try {
                spec = EventJson.MAPPER.readTree(request.getBody().readUtf8()).get("spec");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            List<String> asked = EventJson.MAPPER.convertValue(spec.get("audiences"),
                    EventJson.MAPPER.getTypeFactory().constructCollectionType(List.class, String.class));
            boolean known = issued.contains(decoded(spec.get("token").asText())) && asked.contains("sigil.test");
            List<String> audiences = answeredAudiences.apply(asked);
            return Map.of("apiVersion", "authentication.k8s.io/v1", "kind", "TokenReview",
                    "status", !known ? Map.of("authenticated", false, "error", "invalid bearer token")
                            : audiences == null ? Map.of("authenticated", true, "user", Map.of("username", SERVICE_ACCOUNT))
                            : Map.of("authenticated", true, "user", Map.of("username", SERVICE_ACCOUNT), "audiences", audiences));
        }).always();
        method = new KubernetesJoinMethod(tokens, new JwtVerifier(), new OidcDiscovery(),
                new TokenReviewer(Optional.of(apiServer.url("/"))), "sigil.test");
        JoinTokenSpec token = new JoinTokenSpec("cluster-ci", "k8s-bot", "kubernetes", Instant.now().plus(Duration.ofHours(1)),
                List.of(Map.of("service_account", "ci:deployer")), Map.of("validation", "in_cluster"));
        method.checkToken(token);
        tokens.remember(token);
    }

    @Test
    void aTokenTheApiServerAcceptsJoinsAsItsServiceAccount() throws Exception {
        var join = method.verify(request(goodToken));
        assertThat(join.bot()).isEqualTo("k8s-bot");
        assertThat(reviews).isEqualTo(1);
        assertThat(join.attestation().proofId()).isEqualTo("jwt:" + HexFormat.of().formatHex(MessageDigest
                .getInstance("SHA-256").digest(Base64.getUrlDecoder().decode(goodToken.split("\\.")[1]))));
        assertThat(join.attestation().proofExpires()).isAfter(Instant.now()).isBefore(Instant.now().plus(Duration.ofMinutes(11)));
    }

    @Test
    void aReEncodedTokenTheApiServerWouldAcceptIsTheSameProofOrRefused() {
        String proof = method.verify(request(goodToken)).attestation().proofId();
        Map<String, String> variants = ReEncodings.of(goodToken);
        variants.forEach((how, variant) -> {
            String replayed;
            try {
                replayed = method.verify(request(variant)).attestation().proofId();
            } catch (RefusalException e) {
                replayed = "refused";
            }
            assertThat(replayed).as(how).isIn(proof, "refused");
        });
        assertThat(variants.values()).as("spellings the API server reads as the issued token")
                .anyMatch(variant -> decoded(variant).equals(decoded(goodToken)));
    }

    @Test
    void aTokenTheApiServerRejectsIsRefused() throws Exception {
        String other = cluster.sign(FakePlatform.claims("https://kubernetes.default.svc", "sigil.test", Map.of("x", 1)).build());
        assertThatThrownBy(() -> method.verify(request(other))).isInstanceOfSatisfying(RefusalException.class, e -> {
            assertThat(e.refusal().code()).isEqualTo("JWT_BAD_SIGNATURE");
            assertThat(e.refusal().message()).contains("invalid bearer token");
        });
    }

    @Test
    void anAnswerForAnotherAudienceIsRefused() {
        answeredAudiences = asked -> List.of("https://kubernetes.default.svc");
        assertThatThrownBy(() -> method.verify(request(goodToken))).isInstanceOfSatisfying(RefusalException.class, e -> {
            assertThat(e.refusal().code()).isEqualTo("JWT_WRONG_AUDIENCE");
            assertThat(e.refusal().message()).contains("sigil.test");
        });
    }

    @Test
    void anAnswerNamingNoAudiencesIsRefused() {
        answeredAudiences = asked -> null;
        assertThatThrownBy(() -> method.verify(request(goodToken))).isInstanceOfSatisfying(RefusalException.class,
                e -> assertThat(e.refusal().code()).isEqualTo("JWT_WRONG_AUDIENCE"));
        answeredAudiences = asked -> List.of();
        assertThatThrownBy(() -> method.verify(request(goodToken))).isInstanceOfSatisfying(RefusalException.class,
                e -> assertThat(e.refusal().code()).isEqualTo("JWT_WRONG_AUDIENCE"));
    }

    @Test
    void aLegacyTokenWithoutExpiryIsRefusedThoughTheApiServerAcceptsIt() {
        assertThatThrownBy(() -> method.verify(request(legacyToken))).isInstanceOfSatisfying(RefusalException.class, e -> {
            assertThat(e.refusal().code()).isEqualTo("JWT_MISSING_CLAIM");
            assertThat(e.refusal().message()).contains("'exp'").contains("projected service-account token");
        });
    }

    @Test
    void anotherServiceAccountMatchesNoRule() {
        tokens.remember(new JoinTokenSpec("cluster-other", "k8s-bot", "kubernetes", null,
                List.of(Map.of("service_account", "prod:admin")), Map.of("validation", "in_cluster")));
        assertThatThrownBy(() -> method.verify(new JoinRequest("kubernetes", "cluster-other", goodToken, "ssh-ed25519 AAAA", null)))
                .isInstanceOfSatisfying(RefusalException.class, e -> assertThat(e.refusal().code()).isEqualTo("ALLOW_RULES_NOT_MATCHED"));
    }

    /** A token's parts as the API server reads them: line breaks skipped, padding and unused bits ignored. */
    private static String decoded(String token) {
        try {
            return Arrays.stream(token.replace("\r", "").replace("\n", "").split("\\.", -1))
                    .map(part -> HexFormat.of().formatHex(Base64.getUrlDecoder().decode(part)))
                    .reduce((a, b) -> a + "." + b).orElseThrow();
        } catch (IllegalArgumentException e) {
            return "undecodable";
        }
    }

    private static JoinRequest request(String idToken) {
        return new JoinRequest("kubernetes", "cluster-ci", idToken, "ssh-ed25519 AAAA", null);
    }

    @AfterEach
    void stop() {
        apiServer.destroy();
        cluster.close();
    }
}
