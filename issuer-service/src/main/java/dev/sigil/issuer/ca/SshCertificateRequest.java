package dev.sigil.issuer.ca;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What goes into one OpenSSH certificate: the subject key, who it names, for how long, and its extensions (name to
 * data; flags such as {@code permit-pty} have empty data).
 */
public record SshCertificateRequest(SshPublicKeys subject, CertType type, long serial, String keyId,
        List<String> principals, Instant validAfter, Instant validBefore, Map<String, String> extensions) {

    /** User certificates log in; host certificates identify a machine's sshd. */
    public enum CertType {
        USER(1), HOST(2);

        final int wire;

        CertType(int wire) {
            this.wire = wire;
        }
    }
}
