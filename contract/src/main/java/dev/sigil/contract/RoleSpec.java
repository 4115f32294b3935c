package dev.sigil.contract;

import java.time.Duration;
import java.util.List;

/**
 * A role a bot may impersonate, as kept on {@code sigil.roles}. Logins may be templates such as
 * {@code {{internal.logins}}} or {@code {{external.<trait>}}}, expanded from the bot's traits at issuance. The
 * other fields say which applications, databases and Kubernetes groups and users the role reaches, which SSH
 * forwarding its certificates permit, how long its sessions may last, whether it demands per-session MFA (which
 * no bot can give), which host names it may get {@code ssh_host} certificates for and which SPIFFE paths it may
 * get SVIDs for ({@code *} globs in those two and in apps and databases).
 */
public record RoleSpec(String name, List<String> logins, List<String> apps, List<String> databases,
        List<String> databaseUsers, List<String> kubernetesGroups, List<String> kubernetesUsers, SshOptions sshOptions,
        Duration maxSessionTtl, boolean requireSessionMfa, List<String> sshHostNames, List<String> spiffePaths) {

    public RoleSpec(String name, List<String> logins, Duration maxSessionTtl) {
        this(name, logins, null, null, null, null, null, null, maxSessionTtl, false, null, null);
    }

    public RoleSpec {
        logins = copy(logins);
        apps = copy(apps);
        databases = copy(databases);
        databaseUsers = copy(databaseUsers);
        kubernetesGroups = copy(kubernetesGroups);
        kubernetesUsers = copy(kubernetesUsers);
        sshOptions = sshOptions == null ? SshOptions.DEFAULT : sshOptions;
        sshHostNames = copy(sshHostNames);
        spiffePaths = copy(spiffePaths);
    }

    /** Whether logins are taken from the bot's {@code logins} trait. */
    public boolean usesLoginsTrait() {
        return logins.stream().anyMatch(l -> l.replace(" ", "").contains("{{internal.logins}}"));
    }

    /** SSH forwarding the role's certificates permit; as in Teleport, port forwarding by default, agent forwarding not. */
    public record SshOptions(Boolean portForwarding, Boolean agentForwarding) {
        public static final SshOptions DEFAULT = new SshOptions(true, false);

        public SshOptions {
            portForwarding = portForwarding == null || portForwarding;
            agentForwarding = agentForwarding != null && agentForwarding;
        }
    }

    private static List<String> copy(List<String> values) {
        return values == null ? List.of() : List.copyOf(values);
    }
}
