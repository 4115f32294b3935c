package dev.sigil.contract;

import java.time.Duration;

/**
 * An admin's request, on {@code sigil.ca.rotations}, to move the CA rotation to a phase; issuer-service carries it
 * out. {@code spread} is the window over which identities renew when clients are updated.
 */
public record CaRotationRequest(String requestId, String phase, Duration spread) {
}
