package dev.sigil.output.delivery;

import java.util.Optional;
import java.util.function.Supplier;

import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.Names;
import dev.sigil.contract.OutputRequest;
import dev.sigil.output.destination.DirectoryDestination;
import dev.sigil.output.destination.KubernetesSecretDestination;
import dev.sigil.output.output.RenderCheck;
import dev.sigil.output.output.RenderOptions;

/**
 * What a delivery on {@code sigil.deliveries} must be before output-writer holds it: whatever reaches a path, a file
 * or a certificate by its grammar ({@link Names}, {@link OutputRequest#problem()}), a destination it can open, and
 * what it asks for in range. join-service checks the same at the admin API; this is the writer's own word, for
 * records that got onto the topic some other way. A delivery that breaks it is dead-lettered, never written.
 */
final class DeliveryCheck {

    /** What is wrong with the delivery read from a record with this key; empty when nothing is. */
    static Optional<String> problem(DeliverySpec spec, String key) {
        return first(
                () -> spec.id() == null || spec.bot() == null || spec.output() == null || spec.destination() == null
                        ? Optional.of("a delivery needs id, bot, output and destination") : Optional.empty(),
                () -> Names.RESOURCE.problem(spec.id()).map(p -> "id: " + p),
                () -> spec.id().equals(key) ? Optional.empty()
                        : Optional.of("its key '" + Names.printable(String.valueOf(key)) + "' is not its id (a removal by id would miss it)"),
                () -> Names.RESOURCE.problem(spec.bot()).map(p -> "bot: " + p),
                () -> spec.output().kind() == null ? Optional.of("output.kind is missing; use one of " + OutputRequest.KINDS)
                        : spec.output().problem().map(p -> "output: " + p),
                () -> spec.format() == null || RenderOptions.DATABASE_FORMATS.contains(spec.format()) ? Optional.empty()
                        : Optional.of("format '" + Names.printable(spec.format()) + "' is not one of " + RenderOptions.DATABASE_FORMATS),
                () -> RenderCheck.kubernetesServerProblem(spec.kubernetesServer()),
                () -> spec.ttl() == null || (!spec.ttl().isNegative() && !spec.ttl().isZero()) ? Optional.empty()
                        : Optional.of("ttl " + spec.ttl() + " is not positive"),
                () -> spec.node() == null ? Optional.empty() : Names.HOST_NAME.problem(spec.node()).map(p -> "node: " + p),
                () -> destinationProblem(spec.destination()));
    }

    private static Optional<String> destinationProblem(DeliverySpec.Destination destination) {
        String type = destination.type() == null ? DeliverySpec.Destination.DIRECTORY : destination.type();
        // Names' grammar, and then what the destination itself will take, so nothing held fails at every retry.
        Optional<String> readers = destination.readers().stream()
                .map(r -> r == null ? Optional.of("a reader is null")
                        : r.startsWith("user:") ? Names.LOGIN.problem(r.substring(5)).map(p -> "reader: " + p)
                        : r.startsWith("group:") ? Names.LOGIN.problem(r.substring(6)).map(p -> "reader: " + p)
                        : Optional.of("reader '" + Names.printable(r) + "' must be user:<name> or group:<name>"))
                .flatMap(Optional::stream).findFirst()
                .or(() -> destination.readers().stream().filter(r -> !DirectoryDestination.isReader(r)).findFirst()
                        .map(r -> "reader '" + Names.printable(r) + "' must be a lower-case user:<name> or group:<name>"));
        return switch (type) {
            case DeliverySpec.Destination.DIRECTORY -> Names.DIRECTORY_PATH.problem(destination.path())
                    .map(p -> "destination: " + p).or(() -> readers);
            case DeliverySpec.Destination.KUBERNETES_SECRET -> Names.HOST_NAME.problem(destination.name())
                    .map(p -> "destination Secret name: " + p)
                    .or(() -> KubernetesSecretDestination.isSecretName(destination.name()) ? Optional.empty()
                            : Optional.of("destination Secret name '" + Names.printable(destination.name())
                                    + "' is not a lower-case Kubernetes name"))
                    .or(() -> destination.namespace() == null || KubernetesSecretDestination.isNamespace(destination.namespace())
                            ? Optional.empty()
                            : Optional.of("destination namespace '" + Names.printable(destination.namespace())
                                    + "' is not a Kubernetes namespace (a lower-case DNS label)"));
            case DeliverySpec.Destination.MEMORY -> Optional.empty();
            default -> Optional.of("destination type '" + Names.printable(type) + "' is not "
                    + DeliverySpec.Destination.DIRECTORY + ", " + DeliverySpec.Destination.KUBERNETES_SECRET + " or "
                    + DeliverySpec.Destination.MEMORY);
        };
    }

    @SafeVarargs
    private static Optional<String> first(Supplier<Optional<String>>... checks) {
        for (Supplier<Optional<String>> check : checks) {
            Optional<String> problem = check.get();
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    private DeliveryCheck() {
    }
}
