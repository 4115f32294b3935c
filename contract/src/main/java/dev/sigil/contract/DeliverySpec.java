package dev.sigil.contract;

import java.time.Duration;
import java.util.List;

/**
 * A delivery on {@code sigil.deliveries}, keyed by its id: output-writer keeps one output of a bot fresh at a
 * destination. {@code output} says what to issue (kind, roles and what the kind needs; its public key is left
 * empty, output-writer makes the key), {@code format} and {@code kubernetesServer} how to lay it out, {@code ttl}
 * how long its certificates should last, {@code node} which machine's output-writer writes it (a runner node's
 * DaemonSet pod, for a directory on that node; empty: the cluster-wide writers). A tombstone removes the delivery
 * and the files it wrote.
 */
public record DeliverySpec(String id, String bot, OutputRequest output, String format, String kubernetesServer,
        Destination destination, Duration ttl, String node) {

    public DeliverySpec(String id, String bot, String kind, Destination destination) {
        this(id, bot, new OutputRequest(kind, kind, null, null, null, null, null, null, null, null, null, null), null, null,
                destination, null, null);
    }

    /**
     * Where an output is written: a {@code directory} at {@code path} (with optional {@code readers}, each
     * {@code user:<name>} or {@code group:<name>}, granted read access by POSIX ACL), a {@code kubernetes_secret}
     * {@code name} in {@code namespace}, or {@code memory}.
     */
    public record Destination(String type, String path, List<String> readers, String name, String namespace) {
        public static final String DIRECTORY = "directory";
        public static final String KUBERNETES_SECRET = "kubernetes_secret";
        public static final String MEMORY = "memory";

        public Destination(String type, String path) {
            this(type, path, null, null, null);
        }

        public Destination {
            readers = readers == null ? List.of() : List.copyOf(readers);
        }
    }
}
