package dev.sigil.output.agent;

import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts join-service's TLS certificate by a pin on Sigil's service CA: {@code sha256:<hex>} of the CA's
 * SubjectPublicKeyInfo, as {@code tbot}'s {@code ca_pins}. The server sends the chain; a CA in it must match a pin,
 * the server certificate must chain to that CA, name {@code serverAuth} in its extended key usage, and carry a DNS
 * or IP subject alternative name equal to the host the agent dialled. The CN is never read.
 *
 * <p>An {@link X509ExtendedTrustManager}, so the JDK hands over the connection and adds no host name check of its
 * own (which would fall back to the CN when there is no DNS SAN).
 */
public final class CaPins extends X509ExtendedTrustManager {
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

    private final Set<String> pins;

    public CaPins(List<String> pins) {
        this.pins = Set.copyOf(pins.stream().map(p -> p.trim().toLowerCase(Locale.ROOT)).toList());
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
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        SSLSession session = engine == null ? null : engine.getHandshakeSession();
        check(chain, session != null ? session.getPeerHost() : engine == null ? null : engine.getPeerHost());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        SSLSession session = socket instanceof SSLSocket ssl ? ssl.getHandshakeSession() : null;
        check(chain, session == null ? null : session.getPeerHost());
    }

    /** Without the connection there is no host to match, so nothing is trusted. */
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, null);
    }

    /**
     * Whether {@code chain} may speak for join-service at {@code host}: chains to a pinned CA, is for
     * {@code serverAuth}, and names {@code host} as a DNS or IP subject alternative name.
     */
    public void check(X509Certificate[] chain, String host) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("join-service sent no certificate");
        }
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
        X509Certificate leaf = chain[0];
        try {
            PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(pinned, null)));
            parameters.setRevocationEnabled(false);
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            CertPathValidator.getInstance("PKIX").validate(factory.generateCertPath(List.of(leaf)), parameters);
        } catch (GeneralSecurityException e) {
            throw new CertificateException("join-service's certificate is not valid under the pinned CA: " + e.getMessage(), e);
        }
        List<String> usages = leaf.getExtendedKeyUsage();
        if (usages == null || !usages.contains(SERVER_AUTH)) {
            throw new CertificateException("join-service's certificate is not for TLS servers (no serverAuth in its extended "
                    + "key usage): a client certificate of the same CA must not pose as join-service");
        }
        if (host == null || host.isEmpty()) {
            throw new CertificateException("cannot check join-service's certificate without the host name that was dialled");
        }
        if (!namesHost(leaf, host)) {
            throw new CertificateException("join-service's certificate does not name " + host + " as a DNS or IP subject "
                    + "alternative name (the CN is not read)");
        }
    }

    /** An IP literal matches IP SANs only, a host name DNS SANs only, both exactly (Sigil issues no wildcards). */
    private static boolean namesHost(X509Certificate leaf, String host) throws CertificateParsingException {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        boolean ip = IPV4.matcher(bare).matches() || bare.contains(":");
        byte[] address = ip ? address(bare) : null;
        Collection<List<?>> names = leaf.getSubjectAlternativeNames();
        if (names == null) {
            return false;
        }
        for (List<?> name : names) {
            int type = (Integer) name.get(0);
            String value = String.valueOf(name.get(1));
            if (ip && type == IP_ADDRESS && address != null && Arrays.equals(address, address(value))) {
                return true;
            }
            if (!ip && type == DNS_NAME && value.equalsIgnoreCase(bare)) {
                return true;
            }
        }
        return false;
    }

    /** The bytes of an IP literal; never a DNS lookup, since only literals get here. */
    private static byte[] address(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkClientTrusted(chain, authType);
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
