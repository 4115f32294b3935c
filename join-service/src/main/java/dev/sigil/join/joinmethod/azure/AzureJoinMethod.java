package dev.sigil.join.joinmethod.azure;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Singleton;

import com.nimbusds.jwt.JWTClaimsSet;

import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.join.join.JoinTokenView;
import dev.sigil.join.joinmethod.oidc.JwtVerifier;
import dev.sigil.join.joinmethod.oidc.OidcDiscovery;
import dev.sigil.join.joinmethod.oidc.OidcJoinMethod;
import dev.sigil.join.joinmethod.oidc.PlatformToken;

/**
 * Azure managed-identity access tokens (from the instance metadata service), issued by the join token's
 * {@code tenant}. Rules match the tenant, the subscription and the resource group of the identity's resource id.
 */
@Singleton
public class AzureJoinMethod extends OidcJoinMethod {
    private static final Pattern RESOURCE_ID = Pattern.compile("(?i)^/subscriptions/([^/]+)/resourcegroups/([^/]+)/.*");

    private final OidcDiscovery discovery;

    public AzureJoinMethod(JoinTokenView tokens, JwtVerifier verifier, OidcDiscovery discovery) {
        super(tokens, verifier);
        this.discovery = discovery;
    }

    @Override
    public String name() {
        return "azure";
    }

    @Override
    protected PlatformToken expected(JoinTokenSpec token) {
        String tenant = required(token, "tenant", name());
        String issuer = token.config().getOrDefault("issuer", "https://sts.windows.net/" + tenant + "/");
        var jwks = token.config().containsKey("jwks_uri") ? jwks(token, issuer, "")
                : discovery.jwksUri(token.config().getOrDefault("discovery_base", "https://login.microsoftonline.com/" + tenant + "/v2.0"));
        return new PlatformToken(issuer, jwks, null, token.config("audience", "https://management.azure.com/"));
    }

    @Override
    protected Map<String, Function<JWTClaimsSet, List<String>>> fields() {
        return Map.of("tenant", claim("tid"),
                "subscription", claims -> resourceId(claims, 1),
                "resource_groups", claims -> resourceId(claims, 2));
    }

    private static List<String> resourceId(JWTClaimsSet claims, int group) {
        Object mirid = claims.getClaim("xms_mirid");
        Matcher m = mirid == null ? null : RESOURCE_ID.matcher(String.valueOf(mirid));
        return m != null && m.matches() ? List.of(m.group(group)) : List.of();
    }
}
