package dev.sigil.join.joinmethod.kubernetes;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.function.Function;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.api.RequestGuards;
import dev.sigil.join.joinmethod.AllowRules;
import dev.sigil.join.joinmethod.JoinRequest;
import dev.sigil.join.joinmethod.VerifiedJoin;
import dev.sigil.join.join.JoinTokenView;
import dev.sigil.join.joinmethod.oidc.JwtVerifier;
import dev.sigil.join.joinmethod.oidc.OidcDiscovery;
import dev.sigil.join.joinmethod.oidc.OidcJoinMethod;
import dev.sigil.join.joinmethod.oidc.PlatformToken;

/**
 * Kubernetes service-account tokens, validated with the cluster's keys: a {@code static_jwks} (from
 * {@code kubectl get --raw /openid/v1/jwks}), OIDC discovery from the cluster's {@code issuer}, or, with
 * {@code validation: in_cluster}, by the API server itself through the TokenReview API. Rules name the service
 * account as {@code namespace:name}.
 */
@Singleton
public class KubernetesJoinMethod extends OidcJoinMethod {
    private static final String SUBJECT_PREFIX = "system:serviceaccount:";
    private static final String IN_CLUSTER = "in_cluster";

    private final OidcDiscovery discovery;
    private final TokenReviewer reviewer;
    private final JoinTokenView tokens;
    private final String clusterName;

    public KubernetesJoinMethod(JoinTokenView tokens, JwtVerifier verifier, OidcDiscovery discovery,
            TokenReviewer reviewer, @ConfigProperty(name = "sigil.cluster-name") String clusterName) {
        super(tokens, verifier);
        this.tokens = tokens;
        this.discovery = discovery;
        this.reviewer = reviewer;
        this.clusterName = clusterName;
    }

    @Override
    public VerifiedJoin verify(JoinRequest request) {
        JoinTokenSpec token = tokens.require(request.token(), name());
        if (!IN_CLUSTER.equals(token.config().get("validation"))) {
            return super.verify(request);
        }
        if (request.idToken() == null || request.idToken().isBlank() || request.idToken().length() > 16 * 1024) {
            throw new RefusalException(400, Refusal.JWT_MALFORMED, "join method 'kubernetes' needs the pod's service-account token in 'idToken'");
        }
        JWTClaimsSet claims;
        try {
            claims = JWTParser.parse(request.idToken().trim()).getJWTClaimsSet();
        } catch (ParseException e) {
            throw new RefusalException(400, Refusal.JWT_MALFORMED, "the service-account token is not a JWT");
        }
        String user = reviewer.review(request.idToken().trim(), List.of(token.config("audience", clusterName)));
        String account = user.startsWith(SUBJECT_PREFIX) ? user.substring(SUBJECT_PREFIX.length()) : "";
        if (!AllowRules.anyMatches(token.allow(), f -> "service_account".equals(f) ? List.of(account) : List.of(), Set.of())) {
            throw new RefusalException(403, Refusal.ALLOW_RULES_NOT_MATCHED, "service account '" + account
                    + "' matches none of the allow rules of join token '" + token.name() + "'");
        }
        Instant expires = claims.getExpirationTime() != null ? claims.getExpirationTime().toInstant()
                : Instant.now().plus(Duration.ofHours(1)); // legacy tokens never expire: remember the proof for a while
        return new VerifiedJoin(token.bot(), new Attestation(name(), token.name(),
                "jwt:" + HexFormat.of().formatHex(RequestGuards.sha256(request.idToken().trim())), expires));
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    protected PlatformToken expected(JoinTokenSpec token) {
        if (IN_CLUSTER.equals(token.config().get("validation"))) {
            return new PlatformToken("in_cluster", null, null, token.config("audience", clusterName));
        }
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
