package dev.sigil.issuer.ca;

import java.time.Instant;
import java.util.List;

/** What goes into one OpenSSH certificate: the subject key, who it names and for how long. */
public record SshCertificateRequest(SshPublicKeys subject, CertType type, long serial, String keyId,
        List<String> principals, Instant validAfter, Instant validBefore, List<String> extensions) {

    /** User certificates log in; host certificates identify a machine's sshd. */
    public enum CertType {
        USER(1), HOST(2);

        final int wire;

        CertType(int wire) {
            this.wire = wire;
        }
    }
}
