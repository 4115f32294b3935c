package dev.sigil.output.agent;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Trusts join-service's TLS certificate by a pin on Sigil's CA: {@code sha256:<hex>} of the CA's
 * SubjectPublicKeyInfo, as {@code tbot}'s {@code ca_pins}. The server sends the chain; the CA in it must match a
 * pin, and the server certificate must chain to that CA. Host names are still checked by the HTTP client.
 */
public final class CaPins implements X509TrustManager {
    private final Set<String> pins;

    public CaPins(List<String> pins) {
        this.pins = Set.copyOf(pins.stream().map(p -> p.trim().toLowerCase()).toList());
    }

    public static String pinOf(X509Certificate ca) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ca.getPublicKey().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] { this }, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        X509Certificate pinned = null;
        for (X509Certificate candidate : chain) {
            if (candidate.getBasicConstraints() >= 0 && pins.contains(pinOf(candidate))) {
                pinned = candidate;
            }
        }
        if (pinned == null) {
            throw new CertificateException("join-service's certificate does not chain to a CA matching --ca-pin " + pins
                    + "; check the pin printed by the launcher, or whether this is the Sigil you meant to reach");
        }
        try {
            PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(pinned, null)));
            parameters.setRevocationEnabled(false);
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            CertPathValidator.getInstance("PKIX").validate(factory.generateCertPath(List.of(chain[0])), parameters);
        } catch (GeneralSecurityException e) {
            throw new CertificateException("join-service's certificate is not valid under the pinned CA: " + e.getMessage(), e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the agent does not accept TLS clients");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
