package dev.sigil.contract;

import java.util.List;

/**
 * A Sigil service asking issuer-service for its own TLS server certificate (join-service's HTTPS), on
 * {@code sigil.service-certificates}. Carries the service's public key (PEM SubjectPublicKeyInfo) only.
 */
public record ServiceCertificateRequest(String requestId, String service, List<String> names, String publicKey) {
}
