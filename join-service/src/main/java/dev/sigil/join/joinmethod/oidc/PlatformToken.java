package dev.sigil.join.joinmethod.oidc;

import java.net.URI;

import dev.sigil.contract.JoinTokenSpec;

/**
 * What a join token expects of a platform's signed token: who must have issued it, where that issuer publishes its
 * keys (or the keys themselves), and the audience it must be minted for.
 */
public record PlatformToken(String issuer, URI jwksUri, String staticJwks, String audience) {

    /** The audiences a token may carry: the join token's own, or else the cluster's name. */
    static String audience(JoinTokenSpec token, String clusterName) {
        return token.config("audience", clusterName);
    }

}
