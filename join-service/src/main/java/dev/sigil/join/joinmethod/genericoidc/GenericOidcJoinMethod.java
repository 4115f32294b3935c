package dev.sigil.join.joinmethod.genericoidc;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.inject.Singleton;

import com.nimbusds.jwt.JWTClaimsSet;

import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.join.JoinTokenView;
import dev.sigil.join.joinmethod.oidc.JwtVerifier;
import dev.sigil.join.joinmethod.oidc.OidcDiscovery;
import dev.sigil.join.joinmethod.oidc.OidcJoinMethod;
import dev.sigil.join.joinmethod.oidc.PlatformToken;

/**
 * Any OIDC provider: the join token names the {@code issuer} and {@code audience}; keys come from OIDC discovery
 * (or {@code jwks_uri}); allow rules name claims directly and require their values.
 */
@Singleton
public class GenericOidcJoinMethod extends OidcJoinMethod {
    private final OidcDiscovery discovery;

    public GenericOidcJoinMethod(JoinTokenView tokens, JwtVerifier verifier, OidcDiscovery discovery) {
        super(tokens, verifier);
        this.discovery = discovery;
    }

    @Override
    public String name() {
        return "generic_oidc";
    }

    @Override
    public void checkToken(JoinTokenSpec token) {
        required(token, "issuer", name());
        required(token, "audience", name());
        if (token.allow().isEmpty() || token.allow().stream().anyMatch(Map::isEmpty)) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "an empty allow rule would let any token of "
                    + token.config().get("issuer") + " join; name the claims it must have");
        }
    }

    @Override
    protected PlatformToken expected(JoinTokenSpec token) {
        String issuer = issuer(token, required(token, "issuer", name()));
        var jwks = token.config().containsKey("jwks_uri") ? jwks(token, issuer, "") : discovery.jwksUri(issuer);
        return new PlatformToken(issuer, jwks, null, required(token, "audience", name()));
    }

    @Override
    protected Function<JWTClaimsSet, List<String>> field(String name) {
        return claim(name);
    }

    @Override
    protected Map<String, Function<JWTClaimsSet, List<String>>> fields() {
        return Map.of();
    }
}
