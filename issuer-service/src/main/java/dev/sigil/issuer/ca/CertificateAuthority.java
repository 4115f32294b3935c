package dev.sigil.issuer.ca;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.sigil.contract.BotInstance;
import dev.sigil.contract.CaBundle;
import dev.sigil.contract.IssuedIdentity;
import dev.sigil.contract.IssuedOutput;
import dev.sigil.contract.LeafClusterSpec;
import dev.sigil.contract.OutputRequest;
import dev.sigil.issuer.policy.Grant;

/** Sigil's certificate authority: signs the SSH and X.509 certificates of one identity from a policy grant. */
@ApplicationScoped
public class CertificateAuthority {
    /** Certificates start a little in the past so that clocks slightly behind ours accept them. */
    static final Duration BACKDATE = Duration.ofMinutes(1);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration SERVICE_CERTIFICATE_LIFETIME = Duration.ofDays(90);
    /** The SSH certificate extension naming the leaf cluster a certificate was issued for. */
    public static final String ROUTE_TO_CLUSTER = "route-to-cluster@sigil.dev";

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
        String sshCertificate = sshUserCertificate(bot, instance, subject, grant, serial, validAfter, validBefore);
        String tlsCertificate = tlsCa.issueLeaf(subjectPublicKeyInfo(subject),
                X509CertificateAuthority.name(botUser(bot), List.of(), grant.roles()), List.of(botSpiffeId(bot)),
                List.of(KeyPurposeId.id_kp_clientAuth), instance, serial, validAfter, validBefore);
        return new IssuedIdentity(instance.instanceId(), instance.generation(), sshCertificate, tlsCertificate,
                serial.toString(), grant.roles(), grant.principals(), validAfter, validBefore, grant.notice());
    }

    /** Signs one requested output, as its kind needs. */
    public IssuedOutput issueOutput(String bot, OutputRequest output, SshPublicKeys subject, Grant grant, LeafClusterSpec leaf,
            BotInstance instance, Instant now) {
        Instant validAfter = now.minus(BACKDATE);
        Instant validBefore = now.plus(grant.ttl());
        BigInteger serial = new BigInteger(63, RANDOM);
        SubjectPublicKeyInfo key = subjectPublicKeyInfo(subject);
        List<KeyPurposeId> client = List.of(KeyPurposeId.id_kp_clientAuth);
        String ssh = null;
        String tls;
        List<String> principals = List.of();
        if (leaf != null) {
            // Leaf clusters trust Sigil's user CA for SSH only; the extension names where the certificate is for.
            Map<String, String> routed = new TreeMap<>(extensions(grant));
            routed.put(ROUTE_TO_CLUSTER, leaf.name());
            ssh = sshUserCa.sign(new SshCertificateRequest(subject, SshCertificateRequest.CertType.USER, serial.longValue(),
                    keyId(bot, instance.instanceId()), grant.principals(), validAfter, validBefore, routed));
            return new IssuedOutput(output.name(), output.kind(), ssh, null, grant.roles(), grant.principals(), validBefore,
                    grant.notice(), leaf.name(), leaf.hostCa());
        }
        switch (output.kind() == null ? OutputRequest.IDENTITY : output.kind()) {
            case OutputRequest.IDENTITY -> {
                ssh = sshUserCertificate(bot, instance, subject, grant, serial, validAfter, validBefore);
                principals = grant.principals();
                tls = tlsCa.issueLeaf(key, X509CertificateAuthority.name(botUser(bot), List.of(), grant.roles()),
                        List.of(botSpiffeId(bot)), client, null, serial, validAfter, validBefore);
            }
            case OutputRequest.APPLICATION -> tls = tlsCa.issueLeaf(key, X509CertificateAuthority.name(botUser(bot),
                    List.of("application:" + output.app()), grant.roles()), List.of(botSpiffeId(bot)), client, null, serial,
                    validAfter, validBefore);
            case OutputRequest.DATABASE -> {
                List<String> units = new java.util.ArrayList<>(List.of("database:" + output.databaseService()));
                if (output.databaseName() != null) {
                    units.add("database-name:" + output.databaseName());
                }
                // Database servers map the certificate's CN to the database user.
                tls = tlsCa.issueLeaf(key, X509CertificateAuthority.name(output.databaseUser(), units, grant.roles()),
                        List.of(botSpiffeId(bot)), client, null, serial, validAfter, validBefore);
            }
            case OutputRequest.KUBERNETES -> {
                // Kubernetes reads the user from CN and the groups from O.
                tls = tlsCa.issueLeaf(key, X509CertificateAuthority.name(grant.kubernetesUser() != null ? grant.kubernetesUser()
                        : botUser(bot), List.of("kubernetes:" + output.kubernetesCluster()), grant.kubernetesGroups()),
                        List.of(botSpiffeId(bot)), client, null, serial, validAfter, validBefore);
            }
            case OutputRequest.SSH_HOST -> {
                principals = output.hostNames();
                ssh = sshHostCa.sign(new SshCertificateRequest(subject, SshCertificateRequest.CertType.HOST,
                        serial.longValue(), "host/" + output.hostNames().get(0) + " via " + botUser(bot), principals,
                        validAfter, validBefore, Map.of()));
                tls = null;
            }
            case OutputRequest.WORKLOAD_IDENTITY -> tls = tlsCa.issueLeaf(key, X509CertificateAuthority.name(null, List.of(),
                    List.of("SPIFFE")), List.of(URI.create("spiffe://" + clusterName + output.spiffePath())),
                    List.of(KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth), null, serial, validAfter, validBefore);
            default -> throw new IllegalArgumentException("unknown output kind " + output.kind());
        }
        return new IssuedOutput(output.name(), output.kind(), ssh, tls, grant.roles(), principals, validBefore, grant.notice(),
                null, null);
    }

    private String sshUserCertificate(String bot, BotInstance instance, SshPublicKeys subject, Grant grant, BigInteger serial,
            Instant validAfter, Instant validBefore) {
        return sshUserCa.sign(new SshCertificateRequest(subject, SshCertificateRequest.CertType.USER, serial.longValue(),
                keyId(bot, instance.instanceId()), grant.principals(), validAfter, validBefore, extensions(grant)));
    }

    /** Flag extensions carry no data. */
    private static Map<String, String> extensions(Grant grant) {
        Map<String, String> extensions = new TreeMap<>();
        grant.sshExtensions().forEach(name -> extensions.put(name, ""));
        return extensions;
    }

    private URI botSpiffeId(String bot) {
        return URI.create("spiffe://" + clusterName + "/bot/" + bot);
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
