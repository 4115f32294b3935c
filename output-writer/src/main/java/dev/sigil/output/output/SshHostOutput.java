package dev.sigil.output.output;

import java.util.List;

import dev.sigil.output.destination.OutputFile;

/**
 * The {@code ssh_host} output, for a machine's sshd: {@code HostKey ssh_host}, {@code HostCertificate
 * ssh_host-cert.pub} and {@code TrustedUserCAKeys ssh_host-user-ca.pub}, so clients that trust Sigil's host CA
 * accept the host and the host accepts bots with Sigil user certificates.
 */
final class SshHostOutput {
    static List<OutputFile> render(Credentials c) {
        return List.of(new OutputFile("ssh_host", c.key().openSshPrivateKey(), true),
                new OutputFile("ssh_host.pub", c.key().publicKeyLine() + "\n", false),
                new OutputFile("ssh_host-cert.pub", c.sshCertificate() + "\n", false),
                new OutputFile("ssh_host-user-ca.pub", IdentityOutput.lines(c.ca().trustedSshUserCas(), "",
                        " sigil-user-ca@" + c.ca().clusterName()), false));
    }

    private SshHostOutput() {
    }
}
