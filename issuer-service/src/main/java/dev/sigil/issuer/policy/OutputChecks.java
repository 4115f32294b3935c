package dev.sigil.issuer.policy;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import dev.sigil.contract.BotSpec;
import dev.sigil.contract.LeafClusterSpec;
import dev.sigil.contract.OutputRequest;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.RoleSpec;
import dev.sigil.issuer.ca.SshPublicKeys;

/** Whether an output's roles reach what the output asks for, kind by kind. */
final class OutputChecks {

    static Optional<Refusal> allows(OutputRequest output, BotSpec bot, List<RoleSpec> roles, List<String> principals) {
        String kind = output.kind() == null ? OutputRequest.IDENTITY : output.kind();
        return switch (kind) {
            case OutputRequest.IDENTITY -> principals.isEmpty()
                    ? refuse(Refusal.NO_PRINCIPALS, "its roles grant no SSH logins; add logins to one of " + names(roles))
                    : Optional.empty();
            case OutputRequest.APPLICATION -> reaches(roles, RoleSpec::apps, output.app(), "application");
            case OutputRequest.DATABASE -> reaches(roles, RoleSpec::databases, output.databaseService(), "database service")
                    .or(() -> reaches(roles, RoleSpec::databaseUsers, output.databaseUser(), "database user"));
            case OutputRequest.KUBERNETES -> output.kubernetesCluster() == null
                    ? refuse(Refusal.MALFORMED_REQUEST, "a kubernetes output needs kubernetesCluster")
                    : roles.stream().allMatch(r -> r.kubernetesGroups().isEmpty() && r.kubernetesUsers().isEmpty())
                            ? refuse(Refusal.OUTPUT_NOT_ALLOWED, "none of " + names(roles) + " grants Kubernetes groups or users")
                            : Optional.empty();
            case OutputRequest.SSH_HOST -> output.hostNames().isEmpty()
                    ? refuse(Refusal.MALFORMED_REQUEST, "an ssh_host output needs hostNames")
                    : output.hostNames().stream().map(h -> reaches(roles, RoleSpec::sshHostNames, h, "SSH host name"))
                            .flatMap(Optional::stream).findFirst();
            case OutputRequest.WORKLOAD_IDENTITY -> output.spiffePath() == null || !output.spiffePath().startsWith("/")
                    ? refuse(Refusal.MALFORMED_REQUEST, "a workload-identity-x509 output needs a spiffePath starting with /")
                    : reaches(roles, RoleSpec::spiffePaths, output.spiffePath(), "SPIFFE path");
            default -> refuse(Refusal.MALFORMED_REQUEST, "kind '" + kind + "' is not one of " + OutputRequest.KINDS);
        };
    }

    /** Only SSH reaches a leaf cluster: an identity output, for a leaf that was registered. */
    static Optional<Refusal> leaf(OutputRequest output, Optional<LeafClusterSpec> leaf) {
        if (leaf.isEmpty()) {
            return refuse(Refusal.UNKNOWN_CLUSTER, "cluster '" + output.cluster() + "' is not a registered leaf cluster; "
                    + "register it with POST /v1/admin/leaf-clusters");
        }
        try {
            String hostCa = leaf.get().hostCa();
            if (hostCa == null || hostCa.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                throw new IllegalArgumentException("not one line");
            }
            SshPublicKeys.parse(hostCa);
        } catch (RuntimeException e) { // it goes into the bot's known_hosts as a line of its own
            return refuse(Refusal.UNKNOWN_CLUSTER, "leaf cluster '" + output.cluster() + "' is registered with a host CA that "
                    + "is not one OpenSSH public key line; register it again with its host CA's public key");
        }
        String kind = output.kind() == null ? OutputRequest.IDENTITY : output.kind();
        return kind.equals(OutputRequest.IDENTITY) ? Optional.empty()
                : refuse(Refusal.OUTPUT_NOT_ALLOWED, "only SSH access is supported in leaf clusters: ask for an identity "
                        + "output for '" + output.cluster() + "', and " + kind + " outputs from this cluster");
    }

    private static Optional<Refusal> reaches(List<RoleSpec> roles, Function<RoleSpec, List<String>> allowed, String value,
            String what) {
        if (value == null || value.isBlank()) {
            return refuse(Refusal.MALFORMED_REQUEST, "it names no " + what);
        }
        return roles.stream().anyMatch(r -> Globs.anyMatches(allowed.apply(r), value)) ? Optional.empty()
                : refuse(Refusal.OUTPUT_NOT_ALLOWED, "none of its roles " + names(roles) + " allows " + what + " '" + value
                        + "'; add it to a role the output impersonates");
    }

    private static List<String> names(List<RoleSpec> roles) {
        return roles.stream().map(RoleSpec::name).toList();
    }

    private static Optional<Refusal> refuse(String code, String message) {
        return Optional.of(new Refusal(code, message));
    }

    private OutputChecks() {
    }
}
