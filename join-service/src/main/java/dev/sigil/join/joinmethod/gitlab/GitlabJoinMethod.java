package dev.sigil.join.joinmethod.gitlab;

import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * GitLab CI {@code id_tokens}. Trusts gitlab.com or a self-hosted {@code domain}; keys from
 * {@code /oauth/discovery/keys}, or a {@code static_jwks} for instances Sigil cannot reach. Paths and refs take globs.
 */
@Singleton
public class GitlabJoinMethod extends OidcJoinMethod {
    private static final List<String> CLAIMS = List.of("project_path", "namespace_path", "pipeline_source",
            "environment", "ref", "ref_type", "ref_protected", "user_login", "sub");
    private static final Set<String> GLOBS = Set.of("project_path", "namespace_path", "environment", "ref", "sub");

    private static final Map<String, Function<JWTClaimsSet, List<String>>> FIELDS = sameNamedClaims(CLAIMS);

    private final String defaultIssuer;
    private final String clusterName;

    public GitlabJoinMethod(JoinTokenView tokens, JwtVerifier verifier,
            @ConfigProperty(name = "sigil.join.gitlab.issuer", defaultValue = "https://gitlab.com") String defaultIssuer,
            @ConfigProperty(name = "sigil.cluster-name") String clusterName) {
        super(tokens, verifier);
        this.defaultIssuer = defaultIssuer;
        this.clusterName = clusterName;
    }

    @Override
    public String name() {
        return "gitlab";
    }

    @Override
    protected PlatformToken expected(JoinTokenSpec token) {
        String domain = token.config().get("domain");
        String issuer = domain != null ? "https://" + domain : issuer(token, defaultIssuer);
        return new PlatformToken(issuer, jwks(token, issuer, "/oauth/discovery/keys"), token.config().get("static_jwks"),
                token.config("audience", clusterName));
    }

    @Override
    protected Map<String, Function<JWTClaimsSet, List<String>>> fields() {
        return FIELDS;
    }

    @Override
    protected Set<String> globFields() {
        return GLOBS;
    }
}
