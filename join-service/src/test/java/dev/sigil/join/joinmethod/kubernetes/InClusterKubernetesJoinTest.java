package dev.sigil.join.joinmethod.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.join.JoinTokenView;
import dev.sigil.join.joinmethod.FakePlatform;
import dev.sigil.join.joinmethod.JoinRequest;
import dev.sigil.join.joinmethod.oidc.JwtVerifier;
import dev.sigil.join.joinmethod.oidc.OidcDiscovery;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/**
 * {@code validation: in_cluster}: the API server decides through TokenReview, here fabric8's mock API server on
 * loopback, which authenticates exactly one token and checks the audience Sigil asks for.
 */
class InClusterKubernetesJoinTest {
    private final KubernetesMockServer apiServer = new KubernetesMockServer(false);
    private final JoinTokenView tokens = new JoinTokenView();
    private final KubernetesJoinMethod method;
    private final String goodToken;
    private int reviews;

    InClusterKubernetesJoinTest() throws Exception {
        goodToken = FakePlatform.unsigned(FakePlatform.claims("https://kubernetes.default.svc", "sigil.test", Map.of()).build());
        apiServer.start();
        apiServer.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReply(201, request -> {
            reviews++;
            com.fasterxml.jackson.databind.JsonNode spec;
            try {
                spec = EventJson.MAPPER.readTree(request.getBody().readUtf8()).get("spec");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            boolean known = goodToken.equals(spec.get("token").asText()) && spec.get("audiences").toString().contains("sigil.test");
            return Map.of("apiVersion", "authentication.k8s.io/v1", "kind", "TokenReview",
                    "status", known ? Map.of("authenticated", true, "user", Map.of("username", "system:serviceaccount:ci:deployer"))
                            : Map.of("authenticated", false, "error", "invalid bearer token"));
        }).always();
        method = new KubernetesJoinMethod(tokens, new JwtVerifier(), new OidcDiscovery(),
                new TokenReviewer(Optional.of(apiServer.url("/"))), "sigil.test");
        JoinTokenSpec token = new JoinTokenSpec("cluster-ci", "k8s-bot", "kubernetes", Instant.now().plus(Duration.ofHours(1)),
                List.of(Map.of("service_account", "ci:deployer")), Map.of("validation", "in_cluster"));
        method.checkToken(token);
        tokens.remember(token);
    }

    @Test
    void aTokenTheApiServerAcceptsJoinsAsItsServiceAccount() {
        var join = method.verify(request(goodToken));
        assertThat(join.bot()).isEqualTo("k8s-bot");
        assertThat(reviews).isEqualTo(1);
    }

    @Test
    void aTokenTheApiServerRejectsIsRefused() {
        String other = FakePlatform.unsigned(FakePlatform.claims("https://kubernetes.default.svc", "sigil.test", Map.of("x", 1)).build());
        assertThatThrownBy(() -> method.verify(request(other))).isInstanceOfSatisfying(RefusalException.class, e -> {
            assertThat(e.refusal().code()).isEqualTo("JWT_BAD_SIGNATURE");
            assertThat(e.refusal().message()).contains("invalid bearer token");
        });
    }

    @Test
    void anotherServiceAccountMatchesNoRule() {
        tokens.remember(new JoinTokenSpec("cluster-other", "k8s-bot", "kubernetes", null,
                List.of(Map.of("service_account", "prod:admin")), Map.of("validation", "in_cluster")));
        assertThatThrownBy(() -> method.verify(new JoinRequest("kubernetes", "cluster-other", goodToken, "ssh-ed25519 AAAA", null)))
                .isInstanceOfSatisfying(RefusalException.class, e -> assertThat(e.refusal().code()).isEqualTo("ALLOW_RULES_NOT_MATCHED"));
    }

    private static JoinRequest request(String idToken) {
        return new JoinRequest("kubernetes", "cluster-ci", idToken, "ssh-ed25519 AAAA", null);
    }

    @AfterEach
    void stop() {
        apiServer.destroy();
    }
}
