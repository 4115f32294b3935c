package dev.sigil.output.output;

/**
 * How an output is laid out beyond what Sigil issued: a database output's {@code format} ({@code tls},
 * {@code mongo} or {@code cockroach}) and the Kubernetes API server a {@code kubeconfig.yaml} points at.
 */
public record RenderOptions(String databaseFormat, String kubernetesServer) {
    public static final RenderOptions DEFAULTS = new RenderOptions(null, null);
    public static final java.util.List<String> DATABASE_FORMATS = TlsOutputs.DATABASE_FORMATS;
}
