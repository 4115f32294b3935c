package dev.sigil.join.joinmethod.oidc;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;

/** Finds an issuer's key set through OIDC discovery ({@code /.well-known/openid-configuration}), once per issuer. */
@ApplicationScoped
public class OidcDiscovery {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, URI> jwksUris = new ConcurrentHashMap<>();

    public URI jwksUri(String issuer) {
        URI known = jwksUris.get(issuer);
        if (known != null) {
            return known;
        }
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            String jwks = response.statusCode() == 200 ? EventJson.MAPPER.readTree(response.body()).path("jwks_uri").asText(null) : null;
            if (jwks == null) {
                throw new IOException("no jwks_uri (HTTP " + response.statusCode() + ")");
            }
            URI uri = URI.create(jwks);
            jwksUris.put(issuer, uri);
            return uri;
        } catch (IOException | IllegalArgumentException e) {
            throw new RefusalException(503, Refusal.JWKS_UNAVAILABLE, "OIDC discovery of " + issuer + " failed ("
                    + e.getMessage() + "); retry shortly, or give the join token a jwks_uri");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RefusalException(503, Refusal.JWKS_UNAVAILABLE, "interrupted during OIDC discovery of " + issuer);
        }
    }
}
