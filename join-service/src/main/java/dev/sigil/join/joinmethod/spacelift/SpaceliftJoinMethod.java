package dev.sigil.join.joinmethod.spacelift;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.inject.Singleton;

import com.nimbusds.jwt.JWTClaimsSet;

import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.join.join.JoinTokenView;
import dev.sigil.join.joinmethod.oidc.JwtVerifier;
import dev.sigil.join.joinmethod.oidc.OidcJoinMethod;
import dev.sigil.join.joinmethod.oidc.PlatformToken;

/** Spacelift OIDC tokens: the account's {@code hostname} is both the issuer and the audience. */
@Singleton
public class SpaceliftJoinMethod extends OidcJoinMethod {

    public SpaceliftJoinMethod(JoinTokenView tokens, JwtVerifier verifier) {
        super(tokens, verifier);
    }

    @Override
    public String name() {
        return "spacelift";
    }

    @Override
    protected PlatformToken expected(JoinTokenSpec token) {
        String hostname = required(token, "hostname", name());
        String issuer = issuer(token, "https://" + hostname);
        return new PlatformToken(issuer, jwks(token, issuer, "/.well-known/jwks"), null, hostname);
    }

    @Override
    protected Map<String, Function<JWTClaimsSet, List<String>>> fields() {
        return Map.of("space_id", claim("spaceId"), "caller_type", claim("callerType"), "caller_id", claim("callerId"),
                "scope", claim("scope"));
    }
}
