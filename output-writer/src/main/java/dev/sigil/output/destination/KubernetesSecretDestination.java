package dev.sigil.output.destination;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Writes an output into a Kubernetes Secret, all files in one update. Each write reads the Secret and updates it
 * at the version it read (optimistic concurrency): a writer that lost a race re-reads and tries again, so several
 * output-writer replicas may share a Secret, where tbot allows one. Keys Sigil did not write are kept. A file name's
 * {@code /} becomes {@code .}, since Secret keys are flat.
 */
public final class KubernetesSecretDestination implements Destination {
    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    private static final int ATTEMPTS = 20;
    private static final int CONFLICT = 409;

    private final KubernetesClient client;
    private final String namespace;
    private final String name;

    public KubernetesSecretDestination(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace == null ? client.getNamespace() : namespace;
        this.name = name;
        if (!isSecretName(name)) {
            throw new IllegalArgumentException("Secret name '" + name + "' is not a valid Kubernetes name");
        }
    }

    /** A Secret name as Kubernetes takes it: a lower-case DNS subdomain. */
    public static boolean isSecretName(String name) {
        return name != null && name.length() <= 253 && name.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    }

    /** A namespace as Kubernetes takes it: a lower-case DNS label. */
    public static boolean isNamespace(String namespace) {
        return namespace != null && namespace.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    }

    @Override
    public void write(List<OutputFile> files) throws IOException {
        Map<String, String> data = new HashMap<>();
        files.forEach(f -> data.put(key(f.name()), Base64.getEncoder().encodeToString(f.content().getBytes(StandardCharsets.UTF_8))));
        update(current -> current.putAll(data));
    }

    @Override
    public void remove(Collection<String> names) throws IOException {
        update(current -> names.forEach(n -> current.remove(key(n))));
    }

    private void update(java.util.function.Consumer<Map<String, String>> change) throws IOException {
        var secrets = client.secrets().inNamespace(namespace);
        KubernetesClientException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                Secret current = secrets.withName(name).get();
                if (current == null) {
                    Map<String, String> data = new HashMap<>();
                    change.accept(data);
                    secrets.resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                            .addToLabels(MANAGED_BY, "sigil").endMetadata().withType("Opaque").withData(data).build()).create();
                    return;
                }
                Map<String, String> data = new HashMap<>(current.getData() == null ? Map.of() : current.getData());
                change.accept(data);
                // Still at the resourceVersion read above: a concurrent update makes this fail with 409.
                secrets.resource(new SecretBuilder(current).withData(data).build()).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != CONFLICT) {
                    throw new IOException("could not write Secret " + describe() + ": " + e.getMessage(), e);
                }
                last = e;
            }
        }
        throw new IOException("Secret " + describe() + " kept changing under " + ATTEMPTS + " attempts to write it", last);
    }

    static String key(String fileName) {
        return fileName.replace('/', '.');
    }

    @Override
    public String describe() {
        return "secret " + namespace + "/" + name;
    }
}
