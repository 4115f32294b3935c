package dev.sigil.contract;

import java.time.Instant;
import java.util.List;

/**
 * The certificates of one requested output, with what they grant; which certificates are set depends on the kind.
 * An identity routed to a leaf cluster names it and carries the leaf's host CA, for its known_hosts.
 */
public record IssuedOutput(String name, String kind, String sshCertificate, String tlsCertificate, List<String> roles,
        List<String> principals, Instant validBefore, String notice, String cluster, String hostCa, String serial) {
}
