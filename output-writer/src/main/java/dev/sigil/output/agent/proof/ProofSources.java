package dev.sigil.output.agent.proof;

import java.util.List;

/** The proof source of each join method. */
public final class ProofSources {
    /** Every join method the agent can prove, in the order {@code --help} lists them. */
    public static final List<String> METHODS = List.of("token", "bound_keypair", "github", "gitlab", "circleci", "spacelift",
            "kubernetes", "gcp", "azure", "iam");

    private ProofSources() {
    }

    public static ProofSource forMethod(ProofSettings s) {
        if (s.idTokenFile() != null && !List.of("token", "bound_keypair", "iam").contains(s.joinMethod())) {
            // A platform token something else fetched (any OIDC method): read fresh from the file for each join.
            return new TokenFile(s.idTokenFile(), "write the platform's token to " + s.idTokenFile() + " before the agent joins");
        }
        return switch (s.joinMethod()) {
            case "token" -> new JoinTokenSecret();
            case "github" -> new GithubActionsIdToken(s.env(), s.audienceOr(ProofSettings.DEFAULT_CLUSTER_AUDIENCE));
            case "gitlab" -> new EnvironmentIdToken(s.env(), gitlabVariable(s), "define it in the job: id_tokens: { "
                    + gitlabVariable(s) + ": { aud: <the join token's audience, default " + ProofSettings.DEFAULT_CLUSTER_AUDIENCE
                    + "> } }, or name your variable with --gitlab-id-token-var");
            case "circleci" -> new EnvironmentIdToken(s.env(), "CIRCLE_OIDC_TOKEN_V2",
                    "CircleCI sets it in jobs that use a context; run the job with a context (any context)");
            case "spacelift" -> new EnvironmentIdToken(s.env(), "SPACELIFT_OIDC_TOKEN",
                    "Spacelift sets it in every run of a stack or module; run the agent inside a Spacelift run");
            case "kubernetes" -> new TokenFile(s.kubernetesTokenPath() != null ? s.kubernetesTokenPath()
                    : ProofSettings.DEFAULT_KUBERNETES_TOKEN_PATH, "mount a projected service-account token there: a volume "
                    + "with serviceAccountToken {path, audience: <the join token's audience, default "
                    + ProofSettings.DEFAULT_CLUSTER_AUDIENCE + ">, expirationSeconds: 600}, or name the file with --kubernetes-token-path");
            case "gcp" -> new GcpMetadataIdToken(s.env(), s.audienceOr(ProofSettings.DEFAULT_CLUSTER_AUDIENCE));
            case "azure" -> new AzureImdsToken(s.env(), s.audienceOr(ProofSettings.DEFAULT_AZURE_RESOURCE));
            case "bound_keypair" -> new BoundKeypairProof(s.storage(), System.out);
            case "iam" -> new AwsIamProof(s.env());
            default -> throw new IllegalArgumentException("unknown join method '" + s.joinMethod() + "'; use one of "
                    + String.join(", ", METHODS));
        };
    }

    private static String gitlabVariable(ProofSettings s) {
        return s.gitlabIdTokenVar() != null && !s.gitlabIdTokenVar().isBlank() ? s.gitlabIdTokenVar()
                : ProofSettings.DEFAULT_GITLAB_ID_TOKEN_VAR;
    }
}
