package dev.sigil.contract;

import java.time.Instant;
import java.util.List;

/** The certificates issued to a bot instance for one identity, with what they grant and when they are valid. */
public record IssuedIdentity(String instanceId, long generation, String sshCertificate, String tlsCertificate,
        String serial, List<String> roles, List<String> principals, Instant validAfter, Instant validBefore,
        String notice) {
}
