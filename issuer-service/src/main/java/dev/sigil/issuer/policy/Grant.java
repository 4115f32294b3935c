package dev.sigil.issuer.policy;

import java.time.Duration;
import java.util.List;

/**
 * What policy allows one output: the roles it impersonates, the SSH logins (principals) and certificate extensions,
 * the certificate TTL, with a notice when that is shorter than asked, and the Kubernetes groups and user.
 */
public record Grant(List<String> roles, List<String> principals, List<String> sshExtensions, Duration ttl, String notice,
        List<String> kubernetesGroups, String kubernetesUser) {

    public Grant(List<String> roles, List<String> principals, List<String> sshExtensions, Duration ttl, String notice) {
        this(roles, principals, sshExtensions, ttl, notice, List.of(), null);
    }
}
