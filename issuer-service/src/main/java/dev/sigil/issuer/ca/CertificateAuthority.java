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

/**
 * Sigil's certificate authority: signs the SSH and X.509 certificates of one identity from a policy grant, and
 * rotates its keys. Each key generation lives in its own directory; which generation signs what follows the
 * rotation phase on {@code sigil.ca}: client certificates move to the next generation in {@code update_clients},
 * host and server certificates in {@code update_servers}, and nothing is signed with a key before it is published
 * as trusted.
 */
@ApplicationScoped
public class CertificateAuthority {
    /** Certificates start a little in the past so that clocks slightly behind ours accept them. */
    static final Duration BACKDATE = Duration.ofMinutes(1);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration SERVICE_CERTIFICATE_LIFETIME = Duration.ofDays(90);
    /** The SSH certificate extension naming the leaf cluster a certificate was issued for. */
    public static final String ROUTE_TO_CLUSTER = "route-to-cluster@sigil.dev";

    /**
     * One generation of CA keys, one per purpose: bots (SSH user CA and X.509 client CA), hosts (SSH host CA),
     * databases, Kubernetes and Sigil's own services (X.509). A certificate of one purpose never verifies under
     * another purpose's CA, so a database certificate cannot pose as join-service or as a Kubernetes user.
     */
    record Generation(SshCertificateAuthority sshUser, SshCertificateAuthority sshHost, X509CertificateAuthority bot,
            X509CertificateAuthority database, X509CertificateAuthority kubernetes, X509CertificateAuthority service) {
        X509CertificateAuthority x509(String purpose) {
            return switch (purpose) {
                case CaBundle.BOT -> bot;
                case CaBundle.DATABASE -> database;
                case CaBundle.KUBERNETES -> kubernetes;
                case CaBundle.SERVICE -> service;
                default -> throw new IllegalArgumentException("no X.509 CA for purpose " + purpose);
            };
        }
    }

    private final String clusterName;
    private final Path keyDir;
    private final CaKeyStore.Suite suite;
    private final Map<Integer, Generation> generations = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile CaBundle state;

    public CertificateAuthority(@ConfigProperty(name = "sigil.cluster-name") String clusterName,
            @ConfigProperty(name = "sigil.ca.key-dir") Path keyDir,
            @ConfigProperty(name = "sigil.ca.suite", defaultValue = "default") String suite) {
        this.clusterName = clusterName;
        this.keyDir = keyDir;
        this.suite = CaKeyStore.Suite.valueOf(suite.toUpperCase());
        this.state = settled(1);
    }

    /** The current state: active keys, trusted keys, rotation phase. */
    public CaBundle bundle() {
        return state;
    }

    /**
     * Adopts the state published on {@code sigil.ca} (at start-up, and whenever it changes). A bundle written
     * before the CAs were split per purpose gets every purpose's CA of its generations added, so it can be
     * published again complete.
     */
    public void apply(CaBundle published) {
        if (published != null && clusterName.equals(published.clusterName())) {
            state = published.hasEveryPurpose() ? published : withPurposes(published);
        }
    }

    private CaBundle withPurposes(CaBundle b) {
        Map<String, String> active = new TreeMap<>();
        Map<String, List<String>> trusted = new TreeMap<>();
        Generation a = generation(b.activeGeneration());
        Generation n = b.nextGeneration() == null ? null : generation(b.nextGeneration());
        for (String purpose : CaBundle.X509_PURPOSES) {
            active.put(purpose, a.x509(purpose).caCertificatePem());
            trusted.put(purpose, n == null ? List.of(a.x509(purpose).caCertificatePem())
                    : List.of(a.x509(purpose).caCertificatePem(), n.x509(purpose).caCertificatePem()));
        }
        return new CaBundle(b.clusterName(), b.sshUserCa(), b.sshHostCa(), a.bot().caCertificatePem(), b.phase(),
                b.activeGeneration(), b.nextGeneration(), b.trustedSshUserCas(), b.trustedSshHostCas(), trusted.get(CaBundle.BOT),
                active, trusted);
    }

    /**
     * The state after moving the rotation to {@code phase}, or an exception saying why it cannot move. Entering
     * {@code init} creates the next generation's keys; leaving the rotation drops the generation not kept. The
     * state changes only when the result is read back from {@code sigil.ca} ({@link #apply}), so it follows what
     * was committed there.
     */
    public synchronized CaBundle rotate(String phase) {
        CaBundle now = state;
        if (!now.canMoveTo(phase)) {
            throw new IllegalStateException("the CA rotation cannot go from " + now.phase() + " to " + phase
                    + "; from " + now.phase() + " it can go to " + CaBundle.TRANSITIONS.getOrDefault(now.phase(), java.util.Set.of()));
        }
        int active = now.activeGeneration();
        CaBundle next = switch (phase) {
            case CaBundle.INIT -> rotating(phase, active, active + 1);
            case CaBundle.UPDATE_CLIENTS, CaBundle.UPDATE_SERVERS, CaBundle.ROLLBACK -> rotating(phase, active, now.nextGeneration());
            default -> CaBundle.ROLLBACK.equals(now.phase()) ? settled(active) : settled(now.nextGeneration());
        };
        return next;
    }

    private CaBundle rotating(String phase, int active, int next) {
        Generation a = generation(active);
        Generation n = generation(next);
        return withPurposes(new CaBundle(clusterName, a.sshUser().publicKeyLine(), a.sshHost().publicKeyLine(),
                a.bot().caCertificatePem(), phase, active, next, List.of(a.sshUser().publicKeyLine(), n.sshUser().publicKeyLine()),
                List.of(a.sshHost().publicKeyLine(), n.sshHost().publicKeyLine()), null));
    }

    private CaBundle settled(int generation) {
        Generation g = generation(generation);
        return withPurposes(new CaBundle(clusterName, g.sshUser().publicKeyLine(), g.sshHost().publicKeyLine(),
                g.bot().caCertificatePem(), CaBundle.STANDBY, generation, null, null, null, null));
    }

    private Generation generation(int number) {
        return generations.computeIfAbsent(number, n -> {
            CaKeyStore store = new CaKeyStore(n == 1 ? keyDir : keyDir.resolve("gen-" + n), suite);
            String label = clusterName + (n == 1 ? "" : " gen " + n);
            return new Generation(store.sshUserCa(), store.sshHostCa(), store.x509Ca(CaBundle.BOT, label),
                    store.x509Ca(CaBundle.DATABASE, label), store.x509Ca(CaBundle.KUBERNETES, label),
                    store.x509Ca(CaBundle.SERVICE, label));
        });
    }

    /** The generation that signs client certificates: the next one from update_clients on. */
    private Generation clients() {
        CaBundle s = state;
        boolean moved = CaBundle.UPDATE_CLIENTS.equals(s.phase()) || CaBundle.UPDATE_SERVERS.equals(s.phase());
        return generation(moved ? s.nextGeneration() : s.activeGeneration());
    }

    /** The generation that signs host and server certificates: the next one from update_servers on. */
    private Generation servers() {
        CaBundle s = state;
        return generation(CaBundle.UPDATE_SERVERS.equals(s.phase()) ? s.nextGeneration() : s.activeGeneration());
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
        String tlsCertificate = clients().bot().issueLeaf(subjectPublicKeyInfo(subject),
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
            ssh = clients().sshUser().sign(new SshCertificateRequest(subject, SshCertificateRequest.CertType.USER,
                    serial.longValue(), keyId(bot, instance.instanceId()), grant.principals(), validAfter, validBefore, routed));
            return new IssuedOutput(output.name(), output.kind(), ssh, null, grant.roles(), grant.principals(), validBefore,
                    grant.notice(), leaf.name(), leaf.hostCa(), serial.toString());
        }
        // Each kind is signed by its own purpose's CA; none by the service CA, which signs only Sigil's servers.
        X509CertificateAuthority tlsCa = clients().bot();
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
                // Database servers map the certificate's CN to the database user; they trust the database CA only.
                tls = clients().database().issueLeaf(key, X509CertificateAuthority.name(output.databaseUser(), units, grant.roles()),
                        List.of(botSpiffeId(bot)), client, null, serial, validAfter, validBefore);
            }
            case OutputRequest.KUBERNETES -> {
                // Kubernetes reads the user from CN and the groups from O; API servers trust the Kubernetes CA only.
                tls = clients().kubernetes().issueLeaf(key, X509CertificateAuthority.name(grant.kubernetesUser() != null ? grant.kubernetesUser()
                        : botUser(bot), List.of("kubernetes:" + output.kubernetesCluster()), grant.kubernetesGroups()),
                        List.of(botSpiffeId(bot)), client, null, serial, validAfter, validBefore);
            }
            case OutputRequest.SSH_HOST -> {
                principals = output.hostNames();
                ssh = servers().sshHost().sign(new SshCertificateRequest(subject, SshCertificateRequest.CertType.HOST,
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
                null, null, serial.toString());
    }

    private String sshUserCertificate(String bot, BotInstance instance, SshPublicKeys subject, Grant grant, BigInteger serial,
            Instant validAfter, Instant validBefore) {
        return clients().sshUser().sign(new SshCertificateRequest(subject, SshCertificateRequest.CertType.USER, serial.longValue(),
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
        return servers().service().issueServerCertificate(subject, service, names, new BigInteger(63, RANDOM), now.minus(BACKDATE),
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
