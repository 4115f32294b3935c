package dev.sigil.output.output;

import java.nio.file.Path;
import java.util.List;

import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.OutputRequest;
import dev.sigil.output.destination.OutputFile;

/** Renders an output of any kind into the files its consumers read; the agent and the service both come here. */
public final class Outputs {

    /**
     * The files of one output, for the destination they go to: files that name each other by path (ssh_config) use
     * a directory destination's path; other destinations have none to name. Throws {@link UnsafeOutputException},
     * and renders nothing, when a value breaks the grammar of the file it would go into ({@link RenderCheck}).
     */
    public static List<OutputFile> render(Credentials credentials, RenderOptions options, DeliverySpec.Destination destination) {
        RenderCheck.problem(credentials, options, destination).ifPresent(p -> {
            throw new UnsafeOutputException("refusing to render the output: " + p);
        });
        Path directory = destination.path() == null ? Path.of("/") : Path.of(destination.path());
        String kind = credentials.kind() == null ? OutputRequest.IDENTITY : credentials.kind();
        return switch (kind) {
            case OutputRequest.IDENTITY -> IdentityOutput.render(credentials, directory);
            case OutputRequest.APPLICATION -> TlsOutputs.application(credentials);
            case OutputRequest.DATABASE -> TlsOutputs.database(credentials, options.databaseFormat());
            case OutputRequest.WORKLOAD_IDENTITY -> TlsOutputs.workloadIdentity(credentials);
            case OutputRequest.KUBERNETES -> KubernetesOutput.render(credentials, options.kubernetesServer());
            case OutputRequest.SSH_HOST -> SshHostOutput.render(credentials);
            default -> throw new IllegalArgumentException("unknown output kind '" + kind + "'; use one of " + OutputRequest.KINDS);
        };
    }

    /** Certificates one after another, as PEM bundles are read. */
    static String pemBundle(List<String> certificates) {
        StringBuilder bundle = new StringBuilder();
        certificates.forEach(c -> bundle.append(c.endsWith("\n") ? c : c + "\n"));
        return bundle.toString();
    }

    private Outputs() {
    }
}
