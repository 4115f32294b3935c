package dev.sigil.contract;

import java.util.List;

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
}
