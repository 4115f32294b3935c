package dev.sigil.join.admin;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.Names;
import dev.sigil.contract.OutputRequest;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;

/**
 * What makes a delivery acceptable before it goes on {@code sigil.deliveries}: valid names, a known kind and a safe
 * destination. The one check for every delivery, whether an admin or a runner webhook asks for it.
 */
public final class Deliveries {
    private static final List<String> DATABASE_FORMATS = List.of("tls", "mongo", "cockroach");

    public static void check(DeliverySpec delivery) {
        SpecNames.require(Names.RESOURCE, delivery.id(), "id");
        SpecNames.require(Names.RESOURCE, delivery.bot(), "bot");
        OutputRequest output = delivery.output();
        if (output == null || !OutputRequest.KINDS.contains(output.kind())) {
            throw refused("output.kind must be one of " + OutputRequest.KINDS);
        }
        if (output.publicKey() != null) {
            throw refused("a delivery carries no public key: output-writer makes the key pair and keeps it");
        }
        output.problem().ifPresent(problem -> {
            throw SpecNames.refused("output", problem);
        });
        if (delivery.node() != null) {
            SpecNames.require(Names.HOST_NAME, delivery.node(), "node");
        }
        if (delivery.format() != null && !DATABASE_FORMATS.contains(delivery.format())) {
            throw refused("format must be one of " + DATABASE_FORMATS);
        }
        if (delivery.kubernetesServer() != null) {
            checkServer(delivery.kubernetesServer());
        }
        if (delivery.ttl() != null && (delivery.ttl().isNegative() || delivery.ttl().isZero())) {
            throw refused("ttl must be positive, like 1h or 30m");
        }
        DeliverySpec.Destination destination = delivery.destination();
        if (destination == null || destination.type() == null) {
            throw refused("destination.type must be directory, kubernetes_secret or memory");
        }
        switch (destination.type()) {
            case DeliverySpec.Destination.DIRECTORY -> SpecNames.require(Names.DIRECTORY_PATH, destination.path(),
                    "destination.path");
            case DeliverySpec.Destination.KUBERNETES_SECRET -> {
                SpecNames.require(Names.KUBERNETES_NAME, destination.name(), "destination.name");
                if (destination.namespace() != null) {
                    SpecNames.require(Names.KUBERNETES_NAMESPACE, destination.namespace(), "destination.namespace");
                }
            }
            case DeliverySpec.Destination.MEMORY -> {
            }
            default -> throw refused("destination.type must be directory, kubernetes_secret or memory, not '"
                    + Names.printable(destination.type()) + "'");
        }
        for (String reader : destination.readers()) {
            // A reader becomes a POSIX ACL entry: user:<login> or group:<login>.
            if (reader == null || !(reader.startsWith("user:") || reader.startsWith("group:"))) {
                throw refused("destination.readers: reader '" + Names.printable(String.valueOf(reader))
                        + "' must look like user:<name> or group:<name>");
            }
            SpecNames.require(Names.LOGIN, reader.substring(reader.indexOf(':') + 1), "destination.readers");
        }
    }

    /** The API server a kubeconfig names: a plain https URL, nothing that could break out of the config line. */
    private static void checkServer(String server) {
        URI uri;
        try {
            uri = new URI(server);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || !"https".equals(uri.getScheme()) || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawQuery() != null || uri.getRawFragment() != null
                || (!uri.getHost().startsWith("[") && Names.HOST_NAME.problem(uri.getHost()).isPresent())) {
            throw refused("kubernetesServer '" + Names.printable(server) + "' must be the API server's https URL, "
                    + "like https://kubernetes.example.com:6443");
        }
    }

    private static RefusalException refused(String message) {
        return new RefusalException(400, Refusal.MALFORMED_REQUEST, message);
    }

    private Deliveries() {
    }
}
