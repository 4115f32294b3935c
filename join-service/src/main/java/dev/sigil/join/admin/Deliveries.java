package dev.sigil.join.admin;

import java.util.List;

import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.OutputRequest;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;

/** What makes a delivery acceptable before it goes on {@code sigil.deliveries}: a known kind and a safe destination. */
final class Deliveries {
    private static final List<String> DATABASE_FORMATS = List.of("tls", "mongo", "cockroach");

    static void check(DeliverySpec delivery) {
        OutputRequest output = delivery.output();
        if (output == null || !OutputRequest.KINDS.contains(output.kind())) {
            throw refused("output.kind must be one of " + OutputRequest.KINDS);
        }
        if (output.publicKey() != null) {
            throw refused("a delivery carries no public key: output-writer makes the key pair and keeps it");
        }
        if (delivery.node() != null && !delivery.node().matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
            throw refused("node must be a Kubernetes node name (lower-case letters, digits, '-' and '.')");
        }
        if (delivery.format() != null && !DATABASE_FORMATS.contains(delivery.format())) {
            throw refused("format must be one of " + DATABASE_FORMATS);
        }
        DeliverySpec.Destination destination = delivery.destination();
        if (destination == null || destination.type() == null) {
            throw refused("destination.type must be directory, kubernetes_secret or memory");
        }
        switch (destination.type()) {
            case DeliverySpec.Destination.DIRECTORY -> checkPath(destination.path());
            case DeliverySpec.Destination.KUBERNETES_SECRET -> {
                if (destination.name() == null || !destination.name().matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
                    throw refused("destination.name must be a valid Secret name (lower-case letters, digits, '-' and '.')");
                }
            }
            case DeliverySpec.Destination.MEMORY -> {
            }
            default -> throw refused("destination.type must be directory, kubernetes_secret or memory, not '"
                    + destination.type() + "'");
        }
        for (String reader : destination.readers()) {
            if (!reader.matches("(user|group):[a-z_][a-z0-9_.-]*")) {
                throw refused("reader '" + reader + "' must look like user:<name> or group:<name>");
            }
        }
    }

    /** An absolute path with no {@code .} or {@code ..} parts: where it says is where the files go. */
    private static void checkPath(String path) {
        if (path == null || !path.startsWith("/")) {
            throw refused("destination.path must be an absolute directory path");
        }
        for (String part : path.substring(1).split("/")) {
            if (part.equals("..") || part.equals(".")) {
                throw refused("destination.path '" + path + "' contains '" + part + "'; give the plain absolute path");
            }
        }
    }

    private static RefusalException refused(String message) {
        return new RefusalException(400, Refusal.MALFORMED_REQUEST, message);
    }

    private Deliveries() {
    }
}
