package dev.sigil.join.joinmethod.github;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.nimbusds.jwt.JWTClaimsSet;

import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.join.join.JoinTokenView;
import dev.sigil.join.joinmethod.oidc.JwtVerifier;
import dev.sigil.join.joinmethod.oidc.OidcJoinMethod;
import dev.sigil.join.joinmethod.oidc.PlatformToken;

/**
 * GitHub Actions OIDC tokens. Trusts github.com's issuer, a GitHub Enterprise Server host
 * ({@code enterprise_server_host}) or an enterprise's own issuer ({@code enterprise_slug}); keys from the issuer's
 * {@code /.well-known/jwks}.
 */
@Singleton
public class GithubJoinMethod extends OidcJoinMethod {
    private static final List<String> CLAIMS = List.of("repository", "repository_owner", "workflow", "environment",
            "actor", "ref", "ref_type", "sub");

    private static final Map<String, Function<JWTClaimsSet, List<String>>> FIELDS = sameNamedClaims(CLAIMS);

    private final String defaultIssuer;
    private final String clusterName;

    public GithubJoinMethod(JoinTokenView tokens, JwtVerifier verifier,
            @ConfigProperty(name = "sigil.join.github.issuer", defaultValue = "https://token.actions.githubusercontent.com") String defaultIssuer,
            @ConfigProperty(name = "sigil.cluster-name") String clusterName) {
        super(tokens, verifier);
        this.defaultIssuer = defaultIssuer;
        this.clusterName = clusterName;
    }

    @Override
    public String name() {
        return "github";
    }

    @Override
    protected PlatformToken expected(JoinTokenSpec token) {
        String issuer;
        String host = token.config().get("enterprise_server_host");
        String slug = token.config().get("enterprise_slug");
        if (host != null) {
            issuer = "https://" + host + "/_services/token";
        } else if (slug != null) {
            issuer = issuer(token, defaultIssuer) + "/" + slug;
        } else {
            issuer = issuer(token, defaultIssuer);
        }
        return new PlatformToken(issuer, jwks(token, issuer, "/.well-known/jwks"), null, token.config("audience", clusterName));
    }

    @Override
    protected Map<String, Function<JWTClaimsSet, List<String>>> fields() {
        return FIELDS;
    }

}
