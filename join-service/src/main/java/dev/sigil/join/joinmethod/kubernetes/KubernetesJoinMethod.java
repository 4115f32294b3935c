package dev.sigil.join.joinmethod.kubernetes;

import java.text.ParseException;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.function.Function;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.joinmethod.AllowRules;
import dev.sigil.join.joinmethod.JoinRequest;
import dev.sigil.join.joinmethod.VerifiedJoin;
import dev.sigil.join.join.JoinTokenView;
import dev.sigil.join.joinmethod.oidc.JwtVerifier;
import dev.sigil.join.joinmethod.oidc.OidcDiscovery;
import dev.sigil.join.joinmethod.oidc.OidcJoinMethod;
import dev.sigil.join.joinmethod.oidc.PlatformToken;
import dev.sigil.join.joinmethod.oidc.TokenProof;

/**
 * Kubernetes service-account tokens, validated with the cluster's keys: a {@code static_jwks} (from
 * {@code kubectl get --raw /openid/v1/jwks}), OIDC discovery from the cluster's {@code issuer}, or, with
 * {@code validation: in_cluster}, by the API server itself through the TokenReview API. Rules name the service
 * account as {@code namespace:name}. Tokens without {@code exp} (legacy secret-based tokens) are refused.
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
        SignedJWT jwt = JwtVerifier.read(request.idToken(), name());
        JWTClaimsSet claims = claims(jwt);
        requireExpiry(claims, token);
        if (!IN_CLUSTER.equals(token.config().get("validation"))) {
            return super.verify(request);
        }
        String user = reviewer.review(request.idToken().trim(), audience(token));
        String account = user.startsWith(SUBJECT_PREFIX) ? user.substring(SUBJECT_PREFIX.length()) : "";
        if (!AllowRules.anyMatches(token.allow(), f -> "service_account".equals(f) ? List.of(account) : List.of(), Set.of())) {
            throw new RefusalException(403, Refusal.ALLOW_RULES_NOT_MATCHED, "service account '" + account
                    + "' matches none of the allow rules of join token '" + token.name() + "'");
        }
        return new VerifiedJoin(token.bot(), new Attestation(name(), token.name(), TokenProof.of(jwt),
                claims.getExpirationTime().toInstant()));
    }

    /**
     * Legacy secret-based service-account tokens never expire, so a proof made of one would have to be remembered
     * forever to be accepted only once; they are refused, however they are validated.
     */
    private void requireExpiry(JWTClaimsSet claims, JoinTokenSpec token) {
        if (claims.getExpirationTime() == null) {
            throw new RefusalException(401, Refusal.JWT_MISSING_CLAIM, "the service-account token has no 'exp': it is a "
                    + "legacy secret-based token, which never expires; mount a projected service-account token instead "
                    + "(a serviceAccountToken volume with expirationSeconds and audience '" + audience(token).get(0) + "')");
        }
    }

    private static JWTClaimsSet claims(SignedJWT jwt) {
        try {
            return jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new RefusalException(400, Refusal.JWT_MALFORMED, "the service-account token's claims are not a JSON object");
        }
    }

    private List<String> audience(JoinTokenSpec token) {
        return List.of(token.config("audience", clusterName));
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
