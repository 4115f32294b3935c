package dev.sigil.issuer.ca;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.sigil.contract.BotInstance;
import dev.sigil.contract.CaBundle;
import dev.sigil.contract.IssuedIdentity;
import dev.sigil.issuer.policy.Grant;

/** Sigil's certificate authority: signs the SSH and X.509 certificates of one identity from a policy grant. */
@ApplicationScoped
public class CertificateAuthority {
    /** Certificates start a little in the past so that clocks slightly behind ours accept them. */
    static final Duration BACKDATE = Duration.ofMinutes(1);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration SERVICE_CERTIFICATE_LIFETIME = Duration.ofDays(90);

    private final String clusterName;
    private final SshCertificateAuthority sshUserCa;
    private final SshCertificateAuthority sshHostCa;
    private final X509CertificateAuthority tlsCa;
    private final CaBundle bundle;

    public CertificateAuthority(@ConfigProperty(name = "sigil.cluster-name") String clusterName,
            @ConfigProperty(name = "sigil.ca.key-dir") Path keyDir) {
        CaKeyStore store = new CaKeyStore(keyDir);
        this.clusterName = clusterName;
        this.sshUserCa = store.sshUserCa();
        this.sshHostCa = store.sshHostCa();
        this.tlsCa = store.tlsCa(clusterName);
        this.bundle = new CaBundle(clusterName, sshUserCa.publicKeyLine(), sshHostCa.publicKeyLine(), tlsCa.caCertificatePem());
    }

    public CaBundle bundle() {
        return bundle;
    }

    /** The X.509 user name of a bot, as it appears in certificate CNs. */
    public static String botUser(String bot) {
        return "bot-" + bot;
    }

    /** Signs the SSH and X.509 certificates of one generation of a bot instance. */
    public IssuedIdentity issue(String bot, SshPublicKeys subject, Grant grant, BotInstance instance, Instant now) {
        Instant validAfter = now.minus(BACKDATE);
        Instant validBefore = now.plus(grant.ttl());
        BigInteger serial = new BigInteger(63, RANDOM);
        String instanceId = instance.instanceId();
        String sshCertificate = sshUserCa.sign(new SshCertificateRequest(subject, SshCertificateRequest.CertType.USER,
                serial.longValue(), keyId(bot, instanceId), grant.principals(), validAfter, validBefore,
                grant.sshExtensions()));
        String tlsCertificate = tlsCa.issueClientCertificate(subjectPublicKeyInfo(subject), botUser(bot), grant.roles(),
                URI.create("spiffe://" + clusterName + "/bot/" + bot), instance, serial, validAfter, validBefore);
        return new IssuedIdentity(instanceId, instance.generation(), sshCertificate, tlsCertificate, serial.toString(), grant.roles(),
                grant.principals(), validAfter, validBefore, grant.notice());
    }

    /** A server certificate for one of Sigil's services; lives long, the service asks again at every start. */
    public String issueServerCertificate(SubjectPublicKeyInfo subject, String service, List<String> names, Instant now) {
        return tlsCa.issueServerCertificate(subject, service, names, new BigInteger(63, RANDOM), now.minus(BACKDATE),
                now.plus(SERVICE_CERTIFICATE_LIFETIME));
    }

    /** The key id names the bot and its instance, so sshd's auth log says which bot logged in. */
    static String keyId(String bot, String instanceId) {
        return botUser(bot) + "/" + instanceId;
    }

    private static SubjectPublicKeyInfo subjectPublicKeyInfo(SshPublicKeys key) {
        try {
            return SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(key.key());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode the holder's public key for X.509", e);
        }
    }
}
