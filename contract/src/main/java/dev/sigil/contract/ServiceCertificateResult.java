package dev.sigil.contract;

/** The answer to a {@link ServiceCertificateRequest}: the certificate and the CA that signed it, or a refusal. */
public record ServiceCertificateResult(String requestId, String certificate, String caCertificate, Refusal refusal) {
}
