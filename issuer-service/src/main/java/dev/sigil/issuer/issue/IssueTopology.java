package dev.sigil.issuer.issue;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;

import dev.sigil.contract.RequestSignatures;
import dev.sigil.contract.Topics;
import dev.sigil.issuer.ca.CertificateAuthority;
import dev.sigil.issuer.sender.RequestSenders;

/**
 * The issuer's stream: {@code sigil.issue.requests} in, {@code sigil.issue.results} and {@code sigil.audit} out,
 * unreadable requests to the dead-letter topic; also {@code sigil.service-certificates} for Sigil's own TLS. Bots,
 * roles, locks and deliveries are mirrored into global stores; used proofs (join tokens, platform tokens,
 * challenges) and bot instances with their generation live in changelogged stores, so consuming a proof or
 * advancing a generation is exactly-once per key; a copied identity's lock goes to {@code sigil.locks}.
 */
@ApplicationScoped
public class IssueTopology {
    private static final Logger LOG = Logger.getLogger(IssueTopology.class);
    static final String BOTS = "bots";
    static final String ROLES = "roles";
    static final String LOCKS = "locks";
    static final String LEAF_CLUSTERS = "leaf-clusters";
    static final String DELIVERIES = "deliveries";
    static final String JOIN_TOKENS = "join-tokens";
    static final String USED_PROOFS = "used-proofs";
    /** Platform tokens and challenges claimed, by proof id: {@code <expiry millis> <request id>}. */
    static final String PROOF_CLAIMS = "proof-claims";
    static final String PROOF_CLAIMS_SINK = "proof-claims-writer";
    static final String CLAIMED_SINK = "claimed-writer";
    static final String CLAIM_RESULTS_SINK = "claim-results";
    static final String CLAIM_AUDIT_SINK = "claim-audit";
    static final String CLAIM_DEAD_LETTER_SINK = "claim-dead-letters";
    static final String INSTANCES = "bot-instances";
    static final String JOIN_COUNTS = "join-counts";
    /** Issued answers by request id, in a window store so old ones expire a segment at a time, never one by one. */
    static final String ANSWERS = "remembered-answers";
    static final Duration REMEMBER_ANSWERS = Duration.ofHours(1);
    static final String LOCKS_SINK = "lock-writer";
    static final String INSTANCES_SINK = "bot-instance-writer";
    static final String CA_SINK = "ca-writer";
    static final String RENEWAL_REQUESTS_SINK = "renewal-requests";
    static final String CA_STATE = "ca-state";
    static final String RESULTS_SINK = "results";
    static final String AUDIT_SINK = "audit";
    static final String DEAD_LETTER_SINK = "dead-letters";
    static final String SERVICE_CERTIFICATE_RESULTS = "service-certificate-results";
    static final String SERVICE_CERTIFICATE_DEAD_LETTERS = "service-certificate-dead-letters";

    @Produces
    public Topology topology(CertificateAuthority ca, MeterRegistry registry,
            @ConfigProperty(name = "sigil.ca.service-names") Set<String> serviceNames,
            @ConfigProperty(name = "sigil.policy.require-session-mfa", defaultValue = "false") boolean requireSessionMfa,
            @ConfigProperty(name = "sigil.service-identity.dir") Optional<Path> serviceIdentity,
            @ConfigProperty(name = "sigil.issue.inline-ca-bundle", defaultValue = "false") boolean inlineCaBundle) {
        return topology(ca, registry, serviceNames, requireSessionMfa, serviceIdentity.map(IssueTopology::senders).orElseGet(() -> {
            LOG.warn("sigil.service-identity.dir is not set: issue requests are NOT checked for their sender's signature. "
                    + "Give the issuer its bus identity (ca.crt of Sigil's bus CA) so a Kafka credential alone cannot mint");
            return null;
        }), inlineCaBundle);
    }

    /** Trusts the bus CA in the issuer's own identity directory for request signatures. */
    static RequestSenders senders(Path identity) {
        try {
            return new RequestSenders(RequestSignatures.readCertificates(identity.resolve(RequestSignatures.CA_FILE)));
        } catch (IOException | CertificateException e) {
            throw new IllegalStateException("cannot read Sigil's bus CA from " + identity.resolve(RequestSignatures.CA_FILE)
                    + ": " + e.getMessage(), e);
        }
    }

    Topology topology(CertificateAuthority ca, MeterRegistry registry, Set<String> serviceNames, boolean requireSessionMfa,
            RequestSenders senders) {
        return topology(ca, registry, serviceNames, requireSessionMfa, senders, false);
    }

    /**
     * With {@code inlineCaBundle}, results carry the whole CA bundle and remembered answers the bot's key, as before
     * results named the bundle by version: readers still accept that form, and the benchmark measures against it.
     */
    Topology topology(CertificateAuthority ca, MeterRegistry registry, Set<String> serviceNames, boolean requireSessionMfa,
            RequestSenders senders, boolean inlineCaBundle) {
        RecordFailures failures = new RecordFailures(registry);
        Topology topology = new Topology();
        addDesiredState(topology, BOTS, Topics.BOTS);
        addDesiredState(topology, ROLES, Topics.ROLES);
        addDesiredState(topology, LOCKS, Topics.LOCKS);
        addDesiredState(topology, LEAF_CLUSTERS, Topics.LEAF_CLUSTERS);
        addDesiredState(topology, DELIVERIES, Topics.DELIVERIES);
        addDesiredState(topology, JOIN_TOKENS, Topics.JOIN_TOKENS);
        // Requests and claimed requests are both keyed by bot and partitioned alike: one task reads both.
        topology.addSource("requests", new StringDeserializer(), new StringDeserializer(), Topics.ISSUE_REQUESTS,
                Topics.ISSUE_CLAIMED);
        topology.addProcessor("issue", () -> new IssueProcessor(ca, requireSessionMfa, failures, senders, inlineCaBundle), "requests");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(USED_PROOFS),
                Serdes.String(), Serdes.String()), "issue");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(INSTANCES),
                Serdes.String(), Serdes.String()), "issue");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(JOIN_COUNTS),
                Serdes.String(), Serdes.String()), "issue");
        topology.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore(ANSWERS, REMEMBER_ANSWERS,
                Duration.ofMillis(1), false), Serdes.String(), Serdes.String()), "issue");
        topology.addSink(LOCKS_SINK, Topics.LOCKS, new StringSerializer(), new StringSerializer(), "issue");
        topology.addSink(INSTANCES_SINK, Topics.BOT_INSTANCES, new StringSerializer(), new StringSerializer(), "issue");
        topology.addSink(RESULTS_SINK, Topics.ISSUE_RESULTS, new StringSerializer(), new StringSerializer(), "issue");
        topology.addSink(AUDIT_SINK, Topics.AUDIT, new StringSerializer(), new StringSerializer(), "issue");
        topology.addSink(DEAD_LETTER_SINK, Topics.deadLetter(Topics.ISSUE_REQUESTS), new StringSerializer(),
                new StringSerializer(), "issue");
        topology.addSink(PROOF_CLAIMS_SINK, Topics.ISSUE_PROOF_CLAIMS, new StringSerializer(), new StringSerializer(),
                "issue");

        topology.addSource("proof-claims", new StringDeserializer(), new StringDeserializer(), Topics.ISSUE_PROOF_CLAIMS);
        topology.addProcessor("claim", () -> new ProofClaimProcessor(failures), "proof-claims");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROOF_CLAIMS),
                Serdes.String(), Serdes.String()), "claim");
        topology.addSink(CLAIMED_SINK, Topics.ISSUE_CLAIMED, new StringSerializer(), new StringSerializer(), "claim");
        topology.addSink(CLAIM_RESULTS_SINK, Topics.ISSUE_RESULTS, new StringSerializer(), new StringSerializer(), "claim");
        topology.addSink(CLAIM_AUDIT_SINK, Topics.AUDIT, new StringSerializer(), new StringSerializer(), "claim");
        topology.addSink(CLAIM_DEAD_LETTER_SINK, Topics.deadLetter(Topics.ISSUE_REQUESTS), new StringSerializer(),
                new StringSerializer(), "claim");

        // The CA's state: followed by every replica, changed only by rotation requests (one partition, in order).
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(CA_STATE), Serdes.String(),
                Serdes.String()).withLoggingDisabled(), "ca-source", new StringDeserializer(), new StringDeserializer(),
                Topics.CA, "ca-loader", () -> new CaStateLoader(ca));
        topology.addSource("rotations", new StringDeserializer(), new StringDeserializer(), Topics.CA_ROTATIONS);
        topology.addProcessor("rotate", () -> new RotationProcessor(ca), "rotations");
        topology.addSink(CA_SINK, Topics.CA, new StringSerializer(), new StringSerializer(), "rotate");
        topology.addSink(RENEWAL_REQUESTS_SINK, Topics.RENEWAL_REQUESTS, new StringSerializer(), new StringSerializer(), "rotate");
        topology.addSink("rotation-audit", Topics.AUDIT, new StringSerializer(), new StringSerializer(), "rotate");

        topology.addSource("service-certificates", new StringDeserializer(), new StringDeserializer(), Topics.SERVICE_CERTIFICATES);
        topology.addProcessor("sign-service-certificate", () -> new ServiceCertificateProcessor(ca, serviceNames, failures),
                "service-certificates");
        topology.addSink(SERVICE_CERTIFICATE_RESULTS, Topics.SERVICE_CERTIFICATE_RESULTS, new StringSerializer(),
                new StringSerializer(), "sign-service-certificate");
        topology.addSink(SERVICE_CERTIFICATE_DEAD_LETTERS, Topics.deadLetter(Topics.SERVICE_CERTIFICATES),
                new StringSerializer(), new StringSerializer(), "sign-service-certificate");
        return topology;
    }

    private static void addDesiredState(Topology topology, String store, String topic) {
        topology.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(store), Serdes.String(), Serdes.String())
                        .withLoggingDisabled(),
                store + "-source", new StringDeserializer(), new StringDeserializer(), topic, store + "-loader",
                () -> new GlobalStoreLoader(store));
    }
}
