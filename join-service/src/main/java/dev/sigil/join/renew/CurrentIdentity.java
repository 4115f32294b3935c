package dev.sigil.join.renew;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import jakarta.inject.Singleton;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

import dev.sigil.contract.BotInstance;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.api.Responses;
import dev.sigil.join.joinmethod.Challenges;

/**
 * Checks an identity a bot presents: its X.509 certificate chains to a CA this Sigil trusts and is valid, and a
 * fresh challenge is signed with the certificate's key. Used to renew, and by delegated methods to re-join as the
 * same bot instance.
 */
@Singleton
public class CurrentIdentity {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    private final CaView ca;
    private final Challenges challenges;

    public CurrentIdentity(CaView ca, Challenges challenges) {
        this.ca = ca;
        this.challenges = challenges;
    }

    /** An identity whose certificate checked out: the bot and instance it names. */
    public record Presented(String bot, BotInstance instance, X509Certificate certificate) {
    }

    /** Checks the certificate: issued by a trusted CA, valid now, naming a bot instance. */
    public Presented inspect(String certificatePem) {
        X509Certificate current = currentCertificate(Responses.required(certificatePem, "certificate"));
        return new Presented(botOf(current), instanceOf(current), current);
    }

    /**
     * Checks a certificate the TLS layer already received (an admin's, over mutual TLS, where the handshake proved
     * possession of its key): issued by a bot CA trusted now, valid now, naming a bot instance.
     */
    public Presented inspect(X509Certificate certificate) {
        X509Certificate current = trustedNow(certificate);
        return new Presented(botOf(current), instanceOf(current), current);
    }

    /** Checks that the presenter holds the certificate's key; returns when the signed challenge expires. */
    public Instant prove(Presented identity, String challenge, String signature) {
        Instant challengeExpires = challenges.verify(challenge);
        checkPossession(identity.certificate(), challenge, signature);
        return challengeExpires;
    }

    private X509Certificate currentCertificate(String pem) {
        X509Certificate certificate;
        try {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new RefusalException(400, Refusal.IDENTITY_INVALID, "'certificate' is not a PEM X.509 certificate");
        }
        return trustedNow(certificate);
    }

    private X509Certificate trustedNow(X509Certificate certificate) {
        List<X509Certificate> trusted = ca.trustedTlsCas();
        if (trusted.isEmpty()) {
            throw new RefusalException(503, Refusal.UNAVAILABLE, "join-service has not read Sigil's CA from sigil.ca yet; retry shortly");
        }
        if (trusted.stream().noneMatch(c -> signedBy(certificate, c))) {
            throw new RefusalException(401, Refusal.IDENTITY_INVALID, "the certificate was not issued by a CA this Sigil trusts "
                    + "(after a CA rotation completes, identities from the old CA must join again)");
        }
        try {
            certificate.checkValidity();
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw new RefusalException(401, Refusal.IDENTITY_EXPIRED, "the identity expired at "
                    + certificate.getNotAfter().toInstant() + "; join again with the bot's join method");
        }
        return certificate;
    }

    private static boolean signedBy(X509Certificate certificate, X509Certificate ca) {
        try {
            certificate.verify(ca.getPublicKey(), BC);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static BotInstance instanceOf(X509Certificate certificate) {
        byte[] extension = certificate.getExtensionValue(BotInstance.CERTIFICATE_EXTENSION_OID);
        if (extension == null) {
            throw new RefusalException(400, Refusal.IDENTITY_INVALID, "the certificate names no bot instance");
        }
        String json = DERUTF8String.getInstance(ASN1OctetString.getInstance(extension).getOctets()).getString();
        return EventJson.read(json, BotInstance.class);
    }

    private static String botOf(X509Certificate certificate) {
        RDN[] cn = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN);
        String user = cn.length == 0 ? "" : IETFUtils.valueToString(cn[0].getFirst().getValue());
        if (!user.startsWith("bot-")) {
            throw new RefusalException(400, Refusal.IDENTITY_INVALID, "the certificate is not a bot's");
        }
        return user.substring(4);
    }

    private static void checkPossession(X509Certificate certificate, String challenge, String signature) {
        try {
            Signature verifier = Signature.getInstance(certificate.getPublicKey().getAlgorithm(), BC);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge.getBytes(StandardCharsets.UTF_8));
            if (verifier.verify(Base64.getDecoder().decode(signature == null ? "" : signature))) {
                return;
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // refused below
        }
        throw new RefusalException(401, Refusal.SIGNATURE_INVALID,
                "'signature' is not the base64 signature of the challenge by the current certificate's key");
    }
}
