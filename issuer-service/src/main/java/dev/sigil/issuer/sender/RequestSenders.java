package dev.sigil.issuer.sender;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.security.auth.x500.X500Principal;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.RequestSignatures;

/**
 * Who sent an issue request, and whether that sender may ask for it. A request must carry a signature by a key
 * whose certificate Sigil's bus CA issued (the CA that also authenticates services to Kafka); the certificate's CN
 * names the sender: {@code join-service} vouches for joins and renewals, {@code output-writer} for deliveries
 * without a node, {@code output-writer-node-<node>} for its own node's deliveries only. Nothing else may ask.
 *
 * <p>The key is the service's request-signing key (Ed25519, its certificate limited to digitalSignature) or, for an
 * identity directory without one (made before it existed, or a Strimzi Secret), its bus key (P-256), checked as
 * before. Everything that depends only on the certificate is checked once and remembered by the certificate's exact
 * bytes, so a request costs one signature verification and a hash lookup.
 */
public final class RequestSenders {
    public static final String JOIN_SERVICE = "join-service";
    public static final String OUTPUT_WRITER = "output-writer";
    public static final String NODE_WRITER_PREFIX = "output-writer-node-";

    /** Each sender sends the same certificate until it is re-issued; a handful of senders need far fewer entries. */
    static final int REMEMBERED_CERTIFICATES = 256;
    /** A bus certificate in base64 is well under 2 KB; anything far larger is not one (and would be kept in memory). */
    static final int MAX_CERTIFICATE_HEADER = 8192;

    private final List<X509Certificate> busCas;
    /**
     * Certificates the bus CA issued, by the certificate header's exact bytes; one that fails a check is never kept, so
     * only the bus CA's own certificates can fill it, and it is bounded all the same.
     */
    private final Map<ByteBuffer, Checked> checked = new ConcurrentHashMap<>();

    private record Checked(Sender sender, PublicKey key) {
    }

    public RequestSenders(List<X509Certificate> busCas) {
        this.busCas = List.copyOf(busCas);
    }

    /** A sender the bus CA vouches for, with the node it writes for if it is a node's writer. */
    public record Sender(String principal, Instant notAfter) {
        public Optional<String> node() {
            return principal.startsWith(NODE_WRITER_PREFIX) ? Optional.of(principal.substring(NODE_WRITER_PREFIX.length()))
                    : Optional.empty();
        }
    }

    /** The signing sender of a record, or the refusal saying why it cannot be trusted. */
    public Sender verify(Headers headers, String value, Instant now) {
        Header certificateHeader = headers.lastHeader(RequestSignatures.CERTIFICATE_HEADER);
        byte[] signature = decoded(headers.lastHeader(RequestSignatures.SIGNATURE_HEADER));
        if (certificateHeader == null || certificateHeader.value() == null || signature == null) {
            throw refused("the issue request is not signed; only Sigil's services may ask the issuer, each with its own key");
        }
        if (certificateHeader.value().length > MAX_CERTIFICATE_HEADER) {
            throw refused("the sender's certificate header is over " + MAX_CERTIFICATE_HEADER + " bytes; a bus certificate is far smaller");
        }
        Checked known = checked.get(ByteBuffer.wrap(certificateHeader.value()));
        boolean seen = known != null;
        if (!seen) {
            byte[] der = decoded(certificateHeader);
            X509Certificate certificate = certificate(der);
            known = new Checked(chainToBusCa(certificate, now), verifyingKey(certificate.getPublicKey()));
        }
        Sender sender = known.sender();
        if (now.isAfter(sender.notAfter())) {
            throw refused("the sender's certificate (" + sender.principal() + ") expired at " + sender.notAfter());
        }
        if (!RequestSignatures.verify(known.key(), value, signature)) {
            throw refused("the issue request's signature does not verify with the certificate of " + sender.principal());
        }
        if (!seen) { // only a certificate whose key has just signed a request: a Kafka writer alone cannot fill the cache
            remember(certificateHeader.value().clone(), known);
        }
        return sender;
    }

    /**
     * Whether the sender's role vouches for what the request claims: join-service for joins and renewals,
     * output-writers for deliveries, a node's writer only for deliveries on its node ({@code deliveryNode}).
     */
    public static Optional<String> notEntitled(Sender sender, IssueRequest request, Optional<String> deliveryNode) {
        boolean delivery = Attestation.DELIVERY.equals(request.attestation().joinMethod());
        String who = sender.principal();
        if (who.equals(JOIN_SERVICE)) {
            return delivery ? Optional.of("join-service may not ask for a delivery's certificates; output-writer does")
                    : Optional.empty();
        }
        if (who.equals(OUTPUT_WRITER) || sender.node().isPresent()) {
            if (!delivery) {
                return Optional.of(who + " may ask only for deliveries, not for a " + request.attestation().joinMethod() + " join");
            }
            if (!deliveryNode.equals(sender.node())) {
                return Optional.of(who + " may not ask for delivery '" + request.attestation().joinToken() + "', which "
                        + deliveryNode.map(n -> "belongs to node " + n).orElse("the cluster-wide writers hold"));
            }
            return Optional.empty();
        }
        return Optional.of("'" + who + "' is not a sender the issuer takes requests from");
    }

    private void remember(byte[] certificateHeader, Checked known) {
        if (checked.size() >= REMEMBERED_CERTIFICATES) {
            Iterator<ByteBuffer> any = checked.keySet().iterator();
            if (any.hasNext()) {
                checked.remove(any.next());
            }
        }
        checked.put(ByteBuffer.wrap(certificateHeader), known);
    }

    /** How many certificates are remembered (tests: the bound holds). */
    int remembered() {
        return checked.size();
    }

    private Sender chainToBusCa(X509Certificate certificate, Instant now) {
        for (X509Certificate ca : busCas) {
            try {
                if (!ca.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
                    continue;
                }
                certificate.verify(ca.getPublicKey(), RequestSignatures.PROVIDER);
                certificate.checkValidity(Date.from(now));
                if (isEd25519(certificate.getPublicKey()) && !signsOnly(certificate)) {
                    throw refused("the sender's Ed25519 certificate is not a request-signing certificate (key usage digitalSignature only)");
                }
                String principal = commonName(certificate.getSubjectX500Principal());
                if (principal == null) {
                    throw refused("the sender's certificate names no CN, so no sender");
                }
                return new Sender(principal, certificate.getNotAfter().toInstant());
            } catch (GeneralSecurityException e) {
                throw refused("the sender's certificate is not valid under Sigil's bus CA: " + e.getMessage());
            }
        }
        throw refused("the sender's certificate was not issued by Sigil's bus CA");
    }

    /** The key as the signature provider's own object, parsed once here rather than converted on every verification. */
    private static PublicKey verifyingKey(PublicKey key) {
        try {
            return KeyFactory.getInstance(key.getAlgorithm(), RequestSignatures.PROVIDER).generatePublic(new X509EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw refused("the sender's certificate holds a key the issuer cannot use: " + e.getMessage());
        }
    }

    private static boolean isEd25519(PublicKey key) {
        return key.getAlgorithm().equals("Ed25519") || key.getAlgorithm().equals("EdDSA");
    }

    /** Key usage present and exactly digitalSignature: what the bus CA puts on a request-signing certificate. */
    private static boolean signsOnly(X509Certificate certificate) {
        boolean[] usage = certificate.getKeyUsage();
        if (usage == null || !usage[0]) {
            return false;
        }
        for (int i = 1; i < usage.length; i++) {
            if (usage[i]) {
                return false;
            }
        }
        return true;
    }

    private static String commonName(X500Principal subject) {
        var rdns = X500Name.getInstance(subject.getEncoded()).getRDNs(BCStyle.CN);
        return rdns.length == 1 ? IETFUtils.valueToString(rdns[0].getFirst().getValue()) : null;
    }

    private static X509Certificate certificate(byte[] der) {
        try {
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            // The parser ignores bytes after the certificate: a header must be the certificate and nothing else.
            if (!java.util.Arrays.equals(certificate.getEncoded(), der)) {
                throw refused("the sender's certificate header holds more than one X.509 certificate");
            }
            return certificate;
        } catch (GeneralSecurityException | RuntimeException e) {
            if (e instanceof SenderRefused refusal) {
                throw refusal;
            }
            throw refused("the sender's certificate header is not an X.509 certificate");
        }
    }

    private static byte[] decoded(Header header) {
        if (header == null || header.value() == null) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(new String(header.value(), StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw refused("the sender headers are not base64");
        }
    }

    private static SenderRefused refused(String message) {
        return new SenderRefused(new Refusal(Refusal.SENDER_NOT_TRUSTED, message + "; the request was refused and audited"));
    }

    /** A request whose sender cannot be trusted; carries the refusal to answer and audit. */
    public static final class SenderRefused extends RuntimeException {
        private final Refusal refusal;

        SenderRefused(Refusal refusal) {
            super(refusal.message(), null, false, false);
            this.refusal = refusal;
        }

        public Refusal refusal() {
            return refusal;
        }
    }
}
