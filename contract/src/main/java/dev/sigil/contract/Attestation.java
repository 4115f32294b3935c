package dev.sigil.contract;

import java.time.Instant;

/**
 * What join-service established about a joining bot: the join method that vouched for it and, for single-use
 * methods, the join token to consume.
 */
public record Attestation(String joinMethod, String joinToken, Instant tokenExpires) {
}
