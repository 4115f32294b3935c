package dev.sigil.join.renew;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.BotInstance;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.OutputRequest;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.api.Responses;
import dev.sigil.join.join.IssueClient;
import dev.sigil.join.join.JoinResource;
import dev.sigil.join.joinmethod.Challenges;
import dev.sigil.join.ratelimit.RateLimits;
import io.smallrye.mutiny.Uni;

/**
 * {@code POST /v1/renew}: a bot that joined with a renewable method ({@code token}, {@code bound_keypair}) renews
 * with its current identity: its X.509 certificate, and a fresh Sigil challenge signed with the certificate's key.
 * issuer-service then checks the instance's generation, so a copied identity locks itself out.
 */
@Path("/v1/renew")
public class RenewResource {
    private static final Set<String> RENEWABLE = Set.of("token", "bound_keypair");
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    @Inject
    CaView ca;
    @Inject
    Challenges challenges;
    @Inject
    IssueClient issuer;
    @Inject
    RateLimits rateLimits;

    /** The body: the current certificate (PEM), a challenge and its signature by the current key, and the new key. */
    public record RenewRequest(String certificate, String challenge, String signature, String publicKey, Duration ttl,
            String requestId, List<OutputRequest> outputs) {
    }

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> renew(String body) {
        RenewRequest request = Responses.read(body, RenewRequest.class);
        X509Certificate current = currentCertificate(Responses.required(request.certificate(), "certificate"));
        BotInstance instance = instanceOf(current);
        String bot = botOf(current);
        if (!RENEWABLE.contains(instance.joinMethod())) {
            throw new RefusalException(403, Refusal.RENEWAL_NOT_ALLOWED, "identities from join method '"
                    + instance.joinMethod() + "' do not renew themselves; join again with a fresh platform proof");
        }
        Instant challengeExpires = challenges.verify(request.challenge());
        checkPossession(current, request.challenge(), request.signature());
        rateLimits.bot(bot);
        Responses.required(request.publicKey(), "publicKey");
        IssueRequest issue = new IssueRequest(Responses.requestId(request.requestId()), bot,
                new Attestation(instance.joinMethod(), instance.joinToken(), "challenge:" + request.challenge(), challengeExpires),
                request.publicKey(), request.ttl(), Instant.now(), instance, request.outputs());
        return issuer.request(issue).map(JoinResource::answer);
    }

    private X509Certificate currentCertificate(String pem) {
        X509Certificate certificate;
        try {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new RefusalException(400, Refusal.IDENTITY_INVALID, "'certificate' is not a PEM X.509 certificate");
        }
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
