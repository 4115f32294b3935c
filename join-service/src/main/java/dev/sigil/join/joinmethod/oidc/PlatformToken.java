package dev.sigil.join.joinmethod.oidc;

import java.net.URI;

/**
 * What a join token expects of a platform's signed token: who must have issued it, where that issuer publishes its
 * keys (or the keys themselves), and the audience it must be minted for.
 */
public record PlatformToken(String issuer, URI jwksUri, String staticJwks, String audience) {
}
