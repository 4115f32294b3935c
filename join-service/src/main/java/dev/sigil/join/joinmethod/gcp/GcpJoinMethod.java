package dev.sigil.join.joinmethod.gcp;

import java.util.ArrayList;
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
 * GCE instance identity tokens (metadata server, {@code format=full}), signed by Google. Rules match the project,
 * the location (a zone such as {@code us-west1-b} or its region {@code us-west1}) and the service account.
 */
@Singleton
public class GcpJoinMethod extends OidcJoinMethod {
    private final OidcDiscovery discovery;
    private final String clusterName;

    public GcpJoinMethod(JoinTokenView tokens, JwtVerifier verifier, OidcDiscovery discovery,
            @ConfigProperty(name = "sigil.cluster-name") String clusterName) {
        super(tokens, verifier);
        this.discovery = discovery;
        this.clusterName = clusterName;
    }

    @Override
    public String name() {
        return "gcp";
    }

    @Override
    protected PlatformToken expected(JoinTokenSpec token) {
        String issuer = issuer(token, "https://accounts.google.com");
        var jwks = token.config().containsKey("jwks_uri") ? jwks(token, issuer, "") : discovery.jwksUri(issuer);
        return new PlatformToken(issuer, jwks, null, token.config("audience", clusterName));
    }

    @Override
    protected Map<String, Function<JWTClaimsSet, List<String>>> fields() {
        return Map.of("project_ids", claims -> computeEngine(claims, "project_id"),
                "locations", GcpJoinMethod::locations,
                "service_accounts", claim("email"));
    }

    private static List<String> locations(JWTClaimsSet claims) {
        List<String> zone = computeEngine(claims, "zone");
        if (zone.isEmpty()) {
            return zone;
        }
        List<String> both = new ArrayList<>(zone);
        int dash = zone.get(0).lastIndexOf('-');
        if (dash > 0) {
            both.add(zone.get(0).substring(0, dash));
        }
        return both;
    }

    /** A value of the {@code google.compute_engine} object that full-format tokens carry. */
    private static List<String> computeEngine(JWTClaimsSet claims, String key) {
        Object google = claims.getClaim("google");
        if (google instanceof Map<?, ?> g && g.get("compute_engine") instanceof Map<?, ?> ce && ce.get(key) != null) {
            return List.of(String.valueOf(ce.get(key)));
        }
        return List.of();
    }
}
