package dev.sigil.output.agent.proof;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.EventJson;

/**
 * GitHub Actions: the runner gives a job that may have an OIDC token {@code ACTIONS_ID_TOKEN_REQUEST_URL} and
 * {@code ACTIONS_ID_TOKEN_REQUEST_TOKEN}; {@code GET <url>&audience=<aud>} with the latter as bearer answers
 * {@code {"value": "<jwt>"}} (what @actions/core's getIDToken does).
 */
final class GithubActionsIdToken implements ProofSource {
    private final UnaryOperator<String> env;
    private final String audience;

    GithubActionsIdToken(UnaryOperator<String> env, String audience) {
        this.env = env;
        this.audience = audience;
    }

    @Override
    public JoinProof prove(Challenges challenges) throws IOException, InterruptedException, ProofUnavailableException {
        String url = env.apply("ACTIONS_ID_TOKEN_REQUEST_URL");
        String bearer = env.apply("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
        if (url == null || url.isBlank() || bearer == null || bearer.isBlank()) {
            throw new ProofUnavailableException("the job has no ACTIONS_ID_TOKEN_REQUEST_URL/ACTIONS_ID_TOKEN_REQUEST_TOKEN, "
                    + "so it cannot get a GitHub OIDC token: the job needs `permissions: id-token: write` (a pull request "
                    + "from a fork never gets one)");
        }
        URI uri;
        try {
            uri = URI.create(url + (url.contains("?") ? "&" : "?") + "audience=" + PlatformHttp.encode(audience));
        } catch (IllegalArgumentException e) {
            throw new ProofUnavailableException("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL: " + e.getMessage());
        }
        HttpResponse<String> response = PlatformHttp.get(uri, "Authorization", "Bearer " + bearer,
                "Accept", "application/json; api-version=2.0");
        if (response.statusCode() != 200) {
            throw new ProofUnavailableException("GitHub's ID-token endpoint answered " + response.statusCode() + " ("
                    + PlatformHttp.excerpt(response.body()) + "); the job needs `permissions: id-token: write`");
        }
        JsonNode value = EventJson.MAPPER.readTree(response.body()).path("value");
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new ProofUnavailableException("GitHub's ID-token endpoint answered without a token (no 'value')");
        }
        return JoinProof.idToken(value.asText());
    }
}
