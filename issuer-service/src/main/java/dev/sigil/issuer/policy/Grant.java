package dev.sigil.issuer.policy;

import java.time.Duration;
import java.util.List;

/** What policy allows one output: the roles it impersonates, the SSH logins (principals) and the certificate TTL. */
public record Grant(List<String> roles, List<String> principals, Duration ttl, String notice) {
}
