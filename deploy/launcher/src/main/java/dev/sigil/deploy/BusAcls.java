package dev.sigil.deploy;

import static dev.sigil.contract.Topics.*;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may do what on the bus: the one table of Kafka ACLs, least privilege, worked out from each service's channels,
 * topologies and raw clients. The launcher applies it, the attack matrix tries everything it leaves out, the
 * Kubernetes manifests' KafkaUsers must equal it, and OPERATIONS.md prints it. Principals are certificate CNs from
 * the bus CA; the broker ({@value #BROKER}) and the operator ({@value #ADMIN}) are super users and need no ACLs.
 */
public final class BusAcls {
    public static final String JOIN = "join-service";
    public static final String ISSUER = "issuer-service";
    public static final String RENEWAL = "renewal-service";
    public static final String OUTPUT_WRITER = "output-writer";
    public static final String ADMIN = "sigil-admin";
    public static final String BROKER = "kafka-broker";
    public static final List<String> SERVICES = List.of(JOIN, ISSUER, RENEWAL, OUTPUT_WRITER);
    private static final String NODE_WRITER_PREFIX = "output-writer-node-";

    /** One allowed operation of a principal on a resource (literal name, or every name with that prefix). */
    public record Grant(String principal, ResourceType type, String name, PatternType pattern, AclOperation operation) {
        public AclBinding binding() {
            return new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry("User:" + principal, "*", operation, AclPermissionType.ALLOW));
        }

        /** The grant a binding stands for, or null for one this table does not describe (a deny, a host). */
        static Grant of(AclBinding b) {
            AccessControlEntry e = b.entry();
            if (e.permissionType() != AclPermissionType.ALLOW || !"*".equals(e.host()) || !e.principal().startsWith("User:")) {
                return null;
            }
            return new Grant(e.principal().substring(5), b.pattern().resourceType(), b.pattern().name(), b.pattern().patternType(),
                    e.operation());
        }
    }

    /** The principal of node {@code node}'s writer (the runner DaemonSet pod on that node). */
    public static String nodeWriter(String node) {
        return NODE_WRITER_PREFIX + node;
    }

    /** What one service principal or node writer may do; empty for a principal the table does not know. */
    public static List<Grant> of(String principal) {
        Table t = new Table(principal);
        switch (principal) {
            case JOIN -> {
                // Admin identities: the admins table (the admin API writes it and checks every admin request against
                // it and the locks) and an audit line for each admin write.
                t.read(ADMINS, LOCKS);
                t.write(ADMINS, AUDIT);
                // The admin API owns desired state; joins ask the issuer; webhooks record what they handled.
                t.write(ISSUE_REQUESTS, BOTS, ROLES, JOIN_TOKENS, LOCKS, LEAF_CLUSTERS, DELIVERIES, CA_ROTATIONS,
                        SERVICE_CERTIFICATES, WEBHOOK_DELIVERIES, deadLetter(JOIN_TOKENS));
                t.read(ISSUE_RESULTS, ROLES, BOTS, JOIN_TOKENS, BOT_INSTANCES, CA, SERVICE_CERTIFICATE_RESULTS, WEBHOOK_DELIVERIES);
                // The admin API's read views: fleet health per bot, and the audit trail (recent lines and follow).
                t.read(FLEET, AUDIT);
                // The admin API reads back every kind it writes (lists, gets, version checks).
                t.read(LOCKS, LEAF_CLUSTERS, DELIVERIES);
                t.groupPrefix("sigil-join-"); // sigil-join-<uuid>, sigil-join-roles-<uuid>, ...: one group per replica
            }
            case ISSUER -> {
                t.read(ISSUE_REQUESTS, ISSUE_CLAIMED, ISSUE_PROOF_CLAIMS, SERVICE_CERTIFICATES, CA_ROTATIONS, BOTS, ROLES, LOCKS,
                        LEAF_CLUSTERS, DELIVERIES, BOT_INSTANCES, JOIN_TOKENS, CA);
                t.write(ISSUE_RESULTS, ISSUE_CLAIMED, ISSUE_PROOF_CLAIMS, SERVICE_CERTIFICATE_RESULTS, CA, BOT_INSTANCES, LOCKS,
                        RENEWAL_REQUESTS, AUDIT, deadLetter(ISSUE_REQUESTS), deadLetter(SERVICE_CERTIFICATES));
                t.streamsApp("sigil-issuer");
            }
            case RENEWAL -> {
                // A deleted bot (a tombstone on sigil.bots) has its renewal timers stopped.
                t.read(ISSUE_RESULTS, RENEWAL_REQUESTS, RENEWAL_REQUESTS_FANOUT, BOTS);
                t.write(RENEWAL_DUE, RENEWAL_REQUESTS_FANOUT, ALERTS, FLEET, deadLetter(ISSUE_RESULTS), deadLetter(RENEWAL_REQUESTS));
                t.streamsApp("sigil-renewal");
            }
            case OUTPUT_WRITER -> t.outputWriter("sigil-output-writer");
            default -> {
                if (principal.startsWith(NODE_WRITER_PREFIX) && principal.length() > NODE_WRITER_PREFIX.length()) {
                    // A node's writer reads the same topics; the issuer checks it only asks for its node's deliveries.
                    t.outputWriter("sigil-output-writer-node-" + principal.substring(NODE_WRITER_PREFIX.length()));
                }
            }
        }
        return List.copyOf(t.grants);
    }

    /** The whole table for the services and these node writers. */
    public static List<Grant> all(Collection<String> nodes) {
        List<Grant> all = new ArrayList<>();
        SERVICES.forEach(s -> all.addAll(of(s)));
        nodes.forEach(n -> all.addAll(of(nodeWriter(n))));
        return all;
    }

    /** Whether the table lets {@code principal} do {@code operation} on the topic (as the broker would decide it). */
    public static boolean allows(String principal, String topic, AclOperation operation) {
        if (principal.equals(ADMIN) || principal.equals(BROKER)) {
            return true;
        }
        return of(principal).stream().anyMatch(g -> g.type() == ResourceType.TOPIC
                && (g.pattern() == PatternType.LITERAL ? g.name().equals(topic) : topic.startsWith(g.name()))
                && (g.operation() == operation || g.operation() == AclOperation.ALL
                        || (operation == AclOperation.DESCRIBE && Set.of(AclOperation.READ, AclOperation.WRITE).contains(g.operation()))));
    }

    /**
     * Makes the broker's ACLs for the services and node writers equal the table: adds what is missing, removes grants
     * to those principals the table no longer has (a revoked node writer: see {@link #revoke}). Idempotent; run as
     * {@value #ADMIN}.
     */
    public static void apply(Map<String, Object> adminClient, Collection<String> nodes) {
        Set<AclBinding> wanted = new HashSet<>();
        all(nodes).forEach(g -> wanted.add(g.binding()));
        try (Admin admin = Admin.create(adminClient)) {
            Set<AclBinding> present = new HashSet<>(admin.describeAcls(AclBindingFilter.ANY).values().get());
            List<AclBinding> missing = wanted.stream().filter(b -> !present.contains(b)).toList();
            if (!missing.isEmpty()) {
                admin.createAcls(missing).all().get();
            }
            List<AclBindingFilter> stale = present.stream().filter(b -> !wanted.contains(b))
                    .filter(b -> { Grant g = Grant.of(b); return g != null && isSigilPrincipal(g.principal()); })
                    .map(AclBinding::toFilter).toList();
            if (!stale.isEmpty()) {
                admin.deleteAcls(stale).all().get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting the bus ACLs", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not set the bus ACLs: " + e.getCause(), e);
        }
    }

    /**
     * Takes every grant from a principal: without CRLs this is how a bus certificate is revoked (the broker still
     * accepts the TLS handshake, and then authorizes nothing).
     */
    public static void revoke(Map<String, Object> adminClient, String principal) {
        try (Admin admin = Admin.create(adminClient)) {
            admin.deleteAcls(List.of(new AclBindingFilter(org.apache.kafka.common.resource.ResourcePatternFilter.ANY,
                    new org.apache.kafka.common.acl.AccessControlEntryFilter("User:" + principal, null, AclOperation.ANY,
                            AclPermissionType.ANY)))).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while revoking " + principal, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not revoke " + principal + ": " + e.getCause(), e);
        }
    }

    private static boolean isSigilPrincipal(String principal) {
        return SERVICES.contains(principal) || principal.startsWith(NODE_WRITER_PREFIX);
    }

    /** The table as rows of principal, resource and operations, for OPERATIONS.md and the manifests test. */
    public static Map<String, List<Grant>> byPrincipal(Collection<String> nodes) {
        Map<String, List<Grant>> rows = new LinkedHashMap<>();
        all(nodes).forEach(g -> rows.computeIfAbsent(g.principal(), p -> new ArrayList<>()).add(g));
        return rows;
    }

    private static final class Table {
        final String principal;
        final List<Grant> grants = new ArrayList<>();

        Table(String principal) {
            this.principal = principal;
        }

        void add(ResourceType type, String name, PatternType pattern, AclOperation op) {
            Grant g = new Grant(principal, type, name, pattern, op);
            if (!grants.contains(g)) {
                grants.add(g);
            }
        }

        void read(String... topics) {
            for (String t : topics) {
                add(ResourceType.TOPIC, t, PatternType.LITERAL, AclOperation.READ);
            }
        }

        void write(String... topics) {
            for (String t : topics) {
                add(ResourceType.TOPIC, t, PatternType.LITERAL, AclOperation.WRITE);
            }
        }

        void groupPrefix(String prefix) {
            add(ResourceType.GROUP, prefix, PatternType.PREFIXED, AclOperation.READ);
        }

        /**
         * A Kafka Streams app with exactly-once: its consumer group (the application id), its transactional ids and
         * its internal changelog and repartition topics, all named after the application id, which it creates itself.
         */
        void streamsApp(String applicationId) {
            add(ResourceType.GROUP, applicationId, PatternType.LITERAL, AclOperation.READ);
            add(ResourceType.TRANSACTIONAL_ID, applicationId, PatternType.PREFIXED, AclOperation.WRITE);
            add(ResourceType.TRANSACTIONAL_ID, applicationId, PatternType.PREFIXED, AclOperation.DESCRIBE);
            add(ResourceType.TOPIC, applicationId + "-", PatternType.PREFIXED, AclOperation.ALL);
        }

        /** output-writer, central or a node's: deliveries in a group of its own, results and renewal-due assigned. */
        void outputWriter(String group) {
            read(DELIVERIES, ISSUE_RESULTS, RENEWAL_DUE, CA); // sigil.ca: the bundles results name by version
            write(ISSUE_REQUESTS, deadLetter(DELIVERIES), deadLetter(ISSUE_RESULTS));
            add(ResourceType.GROUP, group, PatternType.LITERAL, AclOperation.READ);
        }
    }

    private BusAcls() {
    }
}
