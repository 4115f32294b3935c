package dev.sigil.output.output;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.sigil.output.destination.OutputFile;

/**
 * The {@code identity} output: everything OpenSSH and TLS clients need to act as the bot, and the same in one
 * combined {@code identity} file for tools that take a single file. {@code ssh_config} names the other files by
 * absolute path, so {@code ssh -F <dir>/ssh_config user@host} works from any directory. An identity routed to a
 * leaf cluster is SSH-only and trusts the leaf's host CA.
 */
public final class IdentityOutput {
    public static final String KEY = "key";
    public static final String TLS_KEY = "tlskey";
    public static final String PUBLIC_KEY = "key.pub";
    public static final String SSH_CERT = "key-cert.pub";
    public static final String TLS_CERT = "tlscert";
    public static final String USER_CA = "user-ca.pub";
    public static final String HOST_CA = "host-ca.pub";
    public static final String TLS_CA = "tls-ca.crt";
    public static final String KNOWN_HOSTS = "known_hosts";
    public static final String SSH_CONFIG = "ssh_config";
    public static final String COMBINED = "identity";

    static List<OutputFile> render(Credentials c, Path directory) {
        String knownHosts = knownHosts(c);
        List<OutputFile> files = new ArrayList<>(List.of(
                new OutputFile(KEY, c.key().openSshPrivateKey(), true),
                new OutputFile(PUBLIC_KEY, c.key().publicKeyLine() + "\n", false),
                new OutputFile(SSH_CERT, c.sshCertificate() + "\n", false),
                new OutputFile(USER_CA, lines(c.ca().trustedSshUserCas(), "", " sigil-user-ca@" + c.ca().clusterName()), false),
                new OutputFile(HOST_CA, hostCas(c, ""), false),
                new OutputFile(KNOWN_HOSTS, knownHosts, false),
                new OutputFile(SSH_CONFIG, sshConfig(c, directory), false)));
        StringBuilder combined = new StringBuilder(c.key().openSshPrivateKey()).append(c.sshCertificate()).append('\n');
        if (c.tlsCertificate() != null) {
            files.add(new OutputFile(TLS_KEY, c.key().pkcs8PrivateKey(), true));
            files.add(new OutputFile(TLS_CERT, c.tlsCertificate(), false));
            files.add(new OutputFile(TLS_CA, Outputs.pemBundle(c.trustedTlsCas()), false));
            combined.append(Outputs.pemBundle(List.of(c.tlsCertificate()))).append(Outputs.pemBundle(c.trustedTlsCas()));
        }
        files.add(new OutputFile(COMBINED, combined.append(knownHosts).toString(), true));
        return files;
    }

    /** Every key trusted right now: during a CA rotation both generations, so nothing breaks mid-way. */
    static String lines(List<String> keys, String prefix, String suffix) {
        StringBuilder text = new StringBuilder();
        keys.forEach(k -> text.append(prefix).append(k).append(suffix).append('\n'));
        return text.toString();
    }

    /** The host CAs the identity's SSH client trusts: the leaf cluster's when routed there, else Sigil's. */
    private static String hostCas(Credentials c, String prefix) {
        if (c.cluster() != null) {
            return lines(List.of(c.leafHostCa()), prefix, " sigil-host-ca@" + c.cluster());
        }
        return lines(c.ca().trustedSshHostCas(), prefix, " sigil-host-ca@" + c.ca().clusterName());
    }

    private static String knownHosts(Credentials c) {
        return hostCas(c, "@cert-authority * ");
    }

    static String sshConfig(Credentials c, Path dir) {
        return "# Sigil identity of bot " + c.bot() + (c.cluster() != null ? " for leaf cluster " + c.cluster() : "")
                + ", valid until " + c.validBefore() + ".\n"
                + "# Use: ssh -F " + dir.resolve(SSH_CONFIG) + " <login>@<host>   (logins: " + String.join(", ", c.principals()) + ")\n"
                + "Host *\n"
                + "    User " + c.principals().get(0) + "\n"
                + "    IdentityFile \"" + dir.resolve(KEY) + "\"\n"
                + "    CertificateFile \"" + dir.resolve(SSH_CERT) + "\"\n"
                + "    IdentitiesOnly yes\n"
                + "    UserKnownHostsFile \"" + dir.resolve(KNOWN_HOSTS) + "\"\n"
                + "    StrictHostKeyChecking yes\n";
    }

    private IdentityOutput() {
    }
}
