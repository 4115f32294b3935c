package dev.sigil.join.joinmethod.kubernetes;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.nimbusds.jwt.JWTClaimsSet;

import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.join.join.JoinTokenView;
import dev.sigil.join.joinmethod.oidc.JwtVerifier;
import dev.sigil.join.joinmethod.oidc.OidcDiscovery;
import dev.sigil.join.joinmethod.oidc.OidcJoinMethod;
import dev.sigil.join.joinmethod.oidc.PlatformToken;

/**
 * Kubernetes service-account tokens, validated with the cluster's keys: a {@code static_jwks} (from
 * {@code kubectl get --raw /openid/v1/jwks}) or OIDC discovery from the cluster's {@code issuer}. Rules name the
 * service account as {@code namespace:name}.
 */
@Singleton
public class KubernetesJoinMethod extends OidcJoinMethod {
    private static final String SUBJECT_PREFIX = "system:serviceaccount:";

    private final OidcDiscovery discovery;
    private final String clusterName;

    public KubernetesJoinMethod(JoinTokenView tokens, JwtVerifier verifier, OidcDiscovery discovery,
            @ConfigProperty(name = "sigil.cluster-name") String clusterName) {
        super(tokens, verifier);
        this.discovery = discovery;
        this.clusterName = clusterName;
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    protected PlatformToken expected(JoinTokenSpec token) {
        String issuer = issuer(token, "https://kubernetes.default.svc.cluster.local");
        String staticJwks = token.config().get("static_jwks");
        var jwks = staticJwks != null ? null
                : token.config().containsKey("jwks_uri") ? jwks(token, issuer, "") : discovery.jwksUri(issuer);
        return new PlatformToken(issuer, jwks, staticJwks, token.config("audience", clusterName));
    }

    @Override
    protected Map<String, Function<JWTClaimsSet, List<String>>> fields() {
        return Map.of("service_account", claims -> {
            String sub = claims.getSubject();
            return sub != null && sub.startsWith(SUBJECT_PREFIX)
                    ? List.of(sub.substring(SUBJECT_PREFIX.length()))
                    : List.of();
        });
    }
}
