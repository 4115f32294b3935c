package dev.sigil.join.joinmethod.circleci;

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
 * CircleCI OIDC tokens. The issuer and the audience are the organization ({@code organization_id}); rules match the
 * project and the contexts the job runs with.
 */
@Singleton
public class CircleciJoinMethod extends OidcJoinMethod {
    private final String issuerBase;

    public CircleciJoinMethod(JoinTokenView tokens, JwtVerifier verifier,
            @ConfigProperty(name = "sigil.join.circleci.issuer", defaultValue = "https://oidc.circleci.com") String issuerBase) {
        super(tokens, verifier);
        this.issuerBase = issuerBase;
    }

    @Override
    public String name() {
        return "circleci";
    }

    @Override
    protected PlatformToken expected(JoinTokenSpec token) {
        String organization = required(token, "organization_id", name());
        String issuer = issuer(token, issuerBase) + "/org/" + organization;
        return new PlatformToken(issuer, jwks(token, issuer, "/.well-known/jwks-pub.json"), null, organization);
    }

    @Override
    protected Map<String, Function<JWTClaimsSet, List<String>>> fields() {
        return Map.of("project_id", claim("oidc.circleci.com/project-id"),
                "context_id", claim("oidc.circleci.com/context-ids"));
    }
}
