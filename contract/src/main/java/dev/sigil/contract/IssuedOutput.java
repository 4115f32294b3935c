package dev.sigil.contract;

import java.time.Instant;
import java.util.List;

/** The certificates of one requested output, with what they grant; which certificates are set depends on the kind. */
public record IssuedOutput(String name, String kind, String sshCertificate, String tlsCertificate, List<String> roles,
        List<String> principals, Instant validBefore, String notice) {
}
