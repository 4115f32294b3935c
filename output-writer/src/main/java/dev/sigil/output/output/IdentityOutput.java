package dev.sigil.output.output;

import java.nio.file.Path;
import java.util.List;

import dev.sigil.contract.CaBundle;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.IssuedIdentity;
import dev.sigil.output.destination.OutputFile;
import dev.sigil.output.keys.HolderKey;

/**
 * The {@code identity} output: everything OpenSSH and TLS clients need to act as the bot. {@code ssh_config} names
 * the other files by absolute path, so {@code ssh -F <dir>/ssh_config user@host} works from any directory.
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

    public static List<OutputFile> render(IssueResult result, HolderKey key, Path directory) {
        IssuedIdentity id = result.identity();
        CaBundle ca = result.ca();
        return List.of(
                new OutputFile(KEY, key.openSshPrivateKey(), true),
                new OutputFile(TLS_KEY, key.pkcs8PrivateKey(), true),
                new OutputFile(PUBLIC_KEY, key.publicKeyLine() + "\n", false),
                new OutputFile(SSH_CERT, id.sshCertificate() + "\n", false),
                new OutputFile(TLS_CERT, id.tlsCertificate(), false),
                new OutputFile(USER_CA, lines(ca.trustedSshUserCas(), "", " sigil-user-ca@" + ca.clusterName()), false),
                new OutputFile(HOST_CA, lines(ca.trustedSshHostCas(), "", " sigil-host-ca@" + ca.clusterName()), false),
                new OutputFile(TLS_CA, String.join("", ca.trustedTlsCas()), false),
                new OutputFile(KNOWN_HOSTS, lines(ca.trustedSshHostCas(), "@cert-authority * ", " sigil-host-ca@" + ca.clusterName()), false),
                new OutputFile(SSH_CONFIG, sshConfig(result, directory), false));
    }

    /** Every key trusted right now: during a CA rotation both generations, so nothing breaks mid-way. */
    private static String lines(List<String> keys, String prefix, String suffix) {
        StringBuilder text = new StringBuilder();
        keys.forEach(k -> text.append(prefix).append(k).append(suffix).append('\n'));
        return text.toString();
    }

    static String sshConfig(IssueResult result, Path dir) {
        IssuedIdentity id = result.identity();
        return "# Sigil identity of bot " + result.bot() + ", valid until " + id.validBefore() + ".\n"
                + "# Use: ssh -F " + dir.resolve(SSH_CONFIG) + " <login>@<host>   (logins: " + String.join(", ", id.principals()) + ")\n"
                + "Host *\n"
                + "    User " + id.principals().get(0) + "\n"
                + "    IdentityFile \"" + dir.resolve(KEY) + "\"\n"
                + "    CertificateFile \"" + dir.resolve(SSH_CERT) + "\"\n"
                + "    IdentitiesOnly yes\n"
                + "    UserKnownHostsFile \"" + dir.resolve(KNOWN_HOSTS) + "\"\n"
                + "    StrictHostKeyChecking yes\n";
    }

    private IdentityOutput() {
    }
}
