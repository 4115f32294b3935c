package dev.sigil.output.destination;

import java.nio.file.Path;
import java.util.function.Supplier;

import dev.sigil.contract.DeliverySpec;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Opens the destination a delivery or an agent output names. */
public final class Destinations {
    public static Destination open(DeliverySpec.Destination spec, Supplier<KubernetesClient> kubernetes) {
        String type = spec == null || spec.type() == null ? DeliverySpec.Destination.DIRECTORY : spec.type();
        return switch (type) {
            case DeliverySpec.Destination.DIRECTORY -> {
                if (spec == null || spec.path() == null || spec.path().isBlank()) {
                    throw new IllegalArgumentException("a directory destination needs a path");
                }
                yield new DirectoryDestination(Path.of(spec.path()), spec.readers());
            }
            case DeliverySpec.Destination.KUBERNETES_SECRET -> new KubernetesSecretDestination(kubernetes.get(), spec.namespace(),
                    spec.name());
            case DeliverySpec.Destination.MEMORY -> new MemoryDestination();
            default -> throw new IllegalArgumentException("unknown destination type '" + type + "'; use "
                    + DeliverySpec.Destination.DIRECTORY + ", " + DeliverySpec.Destination.KUBERNETES_SECRET + " or "
                    + DeliverySpec.Destination.MEMORY);
        };
    }

    private Destinations() {
    }
}
