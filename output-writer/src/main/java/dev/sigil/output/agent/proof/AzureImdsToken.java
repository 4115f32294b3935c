package dev.sigil.output.agent.proof;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.EventJson;

/**
 * Azure: the instance metadata service (IMDS, {@code SIGIL_AZURE_IMDS_ENDPOINT} or http://169.254.169.254) answers
 * a managed identity's access token for a resource as JSON with {@code access_token}; it refuses requests without
 * {@code Metadata: true}. A VM with several user-assigned identities picks one with {@code AZURE_CLIENT_ID}.
 */
final class AzureImdsToken implements ProofSource {
    private final UnaryOperator<String> env;
    private final String resource;

    AzureImdsToken(UnaryOperator<String> env, String resource) {
        this.env = env;
        this.resource = resource;
    }

    @Override
    public JoinProof prove(Challenges challenges) throws IOException, InterruptedException, ProofUnavailableException {
        String endpoint = env.apply("SIGIL_AZURE_IMDS_ENDPOINT");
        endpoint = endpoint == null || endpoint.isBlank() ? "http://169.254.169.254" : endpoint.replaceAll("/+$", "");
        String clientId = env.apply("AZURE_CLIENT_ID");
        URI uri = URI.create(endpoint + "/metadata/identity/oauth2/token?api-version=2018-02-01&resource="
                + PlatformHttp.encode(resource) + (clientId == null || clientId.isBlank() ? "" : "&client_id=" + PlatformHttp.encode(clientId)));
        HttpResponse<String> response;
        try {
            response = PlatformHttp.get(uri, "Metadata", "true");
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new ProofUnavailableException("cannot reach Azure's instance metadata service at " + endpoint + " (" + e
                    + "): join method azure works on an Azure VM with a managed identity", e);
        }
        if (response.statusCode() != 200) {
            boolean noIdentity = response.body() != null && response.body().contains("Identity not found");
            throw new ProofUnavailableException("Azure's instance metadata service answered " + response.statusCode() + " ("
                    + PlatformHttp.excerpt(response.body()) + ")" + (!noIdentity ? ""
                            : clientId == null ? "; give the VM a managed identity (with several user-assigned identities, "
                                    + "set AZURE_CLIENT_ID to one)" : "; give the VM the managed identity AZURE_CLIENT_ID names"));
        }
        JsonNode token = EventJson.MAPPER.readTree(response.body()).path("access_token");
        if (!token.isTextual() || token.asText().isBlank()) {
            throw new ProofUnavailableException("Azure's instance metadata service answered without an access_token");
        }
        return JoinProof.idToken(token.asText());
    }
}
