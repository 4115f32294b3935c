package dev.sigil.output.agent.proof;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * What a proof source is configured with: the join method; the audience to request a platform token for (github,
 * gcp; azure's resource), null for the method's default; the GitLab {@code id_tokens} variable; the projected
 * Kubernetes token file; a file holding a platform token fetched by something else (any OIDC method), or null;
 * the agent's storage directory (where bound_keypair keeps its key), or null when storage is not a directory; and
 * the environment, the platform's own variables (injectable, so tests can stand in for a platform).
 */
public record ProofSettings(String joinMethod, String audience, String gitlabIdTokenVar, Path kubernetesTokenPath,
        Path idTokenFile, Path storage, UnaryOperator<String> env) {
    /** join-service's default cluster name, which github, gitlab, gcp and kubernetes tokens must be for by default. */
    public static final String DEFAULT_CLUSTER_AUDIENCE = "sigil.local";
    /** What join-service's azure method expects by default: an ARM access token. */
    public static final String DEFAULT_AZURE_RESOURCE = "https://management.azure.com/";
    public static final String DEFAULT_GITLAB_ID_TOKEN_VAR = "SIGIL_ID_TOKEN";
    /** Where the Kubernetes guide mounts the projected service-account token (a serviceAccountToken volume). */
    public static final Path DEFAULT_KUBERNETES_TOKEN_PATH = Path.of("/var/run/secrets/tokens/sigil-token");

    /** The audience to ask for, or the given default of the method. */
    public String audienceOr(String fallback) {
        return audience != null && !audience.isBlank() ? audience : fallback;
    }
}
