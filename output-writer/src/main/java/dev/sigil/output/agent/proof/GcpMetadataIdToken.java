package dev.sigil.output.agent.proof;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.util.function.UnaryOperator;

/**
 * Google Compute Engine: the metadata server ({@code GCE_METADATA_HOST}, as Google's client libraries read it, or
 * {@code metadata.google.internal}) answers the instance's identity token, with its instance details
 * ({@code format=full}) and the audience asked for, as the raw JWT; it refuses requests without
 * {@code Metadata-Flavor: Google}.
 */
final class GcpMetadataIdToken implements ProofSource {
    private final UnaryOperator<String> env;
    private final String audience;

    GcpMetadataIdToken(UnaryOperator<String> env, String audience) {
        this.env = env;
        this.audience = audience;
    }

    @Override
    public JoinProof prove(Challenges challenges) throws IOException, InterruptedException, ProofUnavailableException {
        String host = env.apply("GCE_METADATA_HOST");
        host = host == null || host.isBlank() ? "metadata.google.internal" : host;
        URI uri = URI.create("http://" + host + "/computeMetadata/v1/instance/service-accounts/default/identity?audience="
                + PlatformHttp.encode(audience) + "&format=full");
        HttpResponse<String> response;
        try {
            response = PlatformHttp.get(uri, "Metadata-Flavor", "Google");
        } catch (ConnectException | HttpConnectTimeoutException | java.nio.channels.UnresolvedAddressException e) {
            throw unreachable(host, e);
        } catch (IOException e) {
            if (e.getCause() instanceof java.nio.channels.UnresolvedAddressException) {
                throw unreachable(host, e);
            }
            throw e;
        }
        if (response.statusCode() == 404) {
            throw new ProofUnavailableException("the GCP metadata server has no identity token for this instance (404): "
                    + "attach a service account to the VM");
        }
        if (response.statusCode() != 200) {
            throw new ProofUnavailableException("the GCP metadata server answered " + response.statusCode() + " ("
                    + PlatformHttp.excerpt(response.body()) + ")");
        }
        return JoinProof.idToken(response.body().trim());
    }

    private static ProofUnavailableException unreachable(String host, Exception e) {
        return new ProofUnavailableException("cannot reach the GCP metadata server at " + host + " (" + e + "): join method gcp "
                + "works on a Compute Engine VM; elsewhere set GCE_METADATA_HOST to a metadata server", e);
    }
}
