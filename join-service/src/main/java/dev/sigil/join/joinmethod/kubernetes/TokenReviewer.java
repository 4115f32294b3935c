package dev.sigil.join.joinmethod.kubernetes;

import java.util.List;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Asks the Kubernetes API server whether a service-account token is valid (the TokenReview API), with the fabric8
 * client: in a pod it uses the pod's own service account; {@code sigil.join.kubernetes.api-server} points it
 * elsewhere. The client is made on first use, so join-service starts fine outside Kubernetes.
 */
@Singleton
public class TokenReviewer {
    private final Optional<String> apiServer;
    private KubernetesClient client;

    public TokenReviewer(@ConfigProperty(name = "sigil.join.kubernetes.api-server") Optional<String> apiServer) {
        this.apiServer = apiServer;
    }

    /**
     * The reviewed user name ({@code system:serviceaccount:<ns>:<name>}) of a token authenticated for one of the
     * given audiences. The API server answers with the audiences the token is valid for ({@code status.audiences});
     * one that ignores the audiences asked for (no {@code status.audiences}, or others) would accept a token minted
     * for another service, so its answer is refused.
     */
    public String review(String token, List<String> audiences) {
        TokenReview review = new TokenReviewBuilder().withNewSpec().withToken(token).withAudiences(audiences).endSpec().build();
        TokenReviewStatus status;
        try {
            status = client().authentication().v1().tokenReviews().create(review).getStatus();
        } catch (KubernetesClientException e) {
            throw new RefusalException(503, Refusal.UNAVAILABLE, "the Kubernetes API server could not review the token ("
                    + e.getCode() + "); retry shortly");
        }
        if (status == null || !Boolean.TRUE.equals(status.getAuthenticated()) || status.getUser() == null) {
            throw new RefusalException(401, Refusal.JWT_BAD_SIGNATURE, "the Kubernetes API server does not accept this "
                    + "service-account token" + (status != null && status.getError() != null ? " (" + status.getError() + ")" : ""));
        }
        List<String> granted = status.getAudiences();
        if (!audiences.isEmpty() && (granted == null || granted.stream().noneMatch(audiences::contains))) {
            throw new RefusalException(401, Refusal.JWT_WRONG_AUDIENCE, "the Kubernetes API server accepted the "
                    + "service-account token for audiences " + (granted == null ? "it did not name" : granted)
                    + ", not " + audiences + "; mount a projected service-account token with audience "
                    + audiences.get(0) + " (and check that the API server supports TokenReview audiences)");
        }
        return status.getUser().getUsername();
    }

    private synchronized KubernetesClient client() {
        if (client == null) {
            Config config = apiServer.map(url -> new ConfigBuilder(Config.autoConfigure(null)).withMasterUrl(url).build())
                    .orElseGet(() -> Config.autoConfigure(null));
            client = new KubernetesClientBuilder().withConfig(config).build();
        }
        return client;
    }

    @PreDestroy
    synchronized void close() {
        if (client != null) {
            client.close();
        }
    }
}
