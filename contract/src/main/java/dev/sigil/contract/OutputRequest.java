package dev.sigil.contract;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One output a bot asks for in an issue request: its kind, the subset of the bot's roles it impersonates (empty:
 * all), the public key it is for, and what the kind needs: an application; a database service, user and name; a
 * Kubernetes cluster; host names for {@code ssh_host}; a SPIFFE path for {@code workload-identity-x509}; and
 * for an {@code identity}, the leaf cluster its SSH certificate is routed to (empty: this cluster).
 */
public record OutputRequest(String name, String kind, List<String> roles, String publicKey, String app,
        String databaseService, String databaseUser, String databaseName, String kubernetesCluster,
        List<String> hostNames, String spiffePath, String cluster) {
    public static final String IDENTITY = "identity";
    public static final String APPLICATION = "application";
    public static final String DATABASE = "database";
    public static final String KUBERNETES = "kubernetes";
    public static final String SSH_HOST = "ssh_host";
    public static final String WORKLOAD_IDENTITY = "workload-identity-x509";
    public static final List<String> KINDS = List.of(IDENTITY, APPLICATION, DATABASE, KUBERNETES, SSH_HOST, WORKLOAD_IDENTITY);

    public OutputRequest {
        roles = roles == null ? List.of() : List.copyOf(roles);
        hostNames = hostNames == null ? List.of() : List.copyOf(hostNames);
    }

    /** The most host names one {@code ssh_host} output may carry. */
    public static final int MAX_HOST_NAMES = 64;

    /**
     * What is wrong with this output before any policy looks at it: an unknown kind, or a name that breaks its
     * grammar ({@link Names}); empty when nothing is. Each value it carries reaches a certificate, a file or both.
     */
    public Optional<String> problem() {
        if (kind != null && !KINDS.contains(kind)) {
            return Optional.of("kind '" + Names.printable(kind) + "' is not one of " + KINDS);
        }
        if (hostNames.size() > MAX_HOST_NAMES) {
            return Optional.of("it asks for " + hostNames.size() + " host names; the limit is " + MAX_HOST_NAMES);
        }
        if (publicKey != null && publicKey.length() > IssueRequest.MAX_PUBLIC_KEY_CHARS) {
            return Optional.of("its public key is over " + IssueRequest.MAX_PUBLIC_KEY_CHARS + " characters");
        }
        return Stream.of(optional(Names.RESOURCE, name), Names.RESOURCE.firstProblem(roles), optional(Names.RESOURCE, app),
                optional(Names.RESOURCE, databaseService), optional(Names.DATABASE_USER, databaseUser),
                optional(Names.DATABASE_NAME, databaseName), optional(Names.RESOURCE, kubernetesCluster),
                Names.HOST_NAME.firstProblem(hostNames), optional(Names.SPIFFE_PATH, spiffePath),
                optional(Names.RESOURCE, cluster))
                .flatMap(Optional::stream).findFirst();
    }

    private static Optional<String> optional(Names grammar, String value) {
        return value == null ? Optional.empty() : grammar.problem(value);
    }
}
