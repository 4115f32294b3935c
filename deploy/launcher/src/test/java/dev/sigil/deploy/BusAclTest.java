package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.sigil.contract.BusIdentity;
import dev.sigil.contract.Topics;

/**
 * The bus attack matrix (issue 12, item 4, first two lines): every service principal and a node's writer tries every
 * topic operation {@link BusAcls} does not grant it (produce, consume, another app's consumer group and transactional
 * ids, create and delete topics, alter ACLs), and each must be denied by the broker; a client with no certificate,
 * one from another CA, and a plaintext one are refused. One allowed read per principal is the control that the
 * denials are the ACLs' and not a broken client. Prints how many were tried, refused and got through (must be 0).
 */
@ExtendWith(SigilCluster.class)
class BusAclTest {
    private static final String NODE = "node-a";
    private static final List<String> STREAMS_APPS = List.of("sigil-issuer", "sigil-renewal");
    private static final List<String> GROUPS = List.of("sigil-issuer", "sigil-renewal", "sigil-output-writer",
            "sigil-output-writer-node-other", "sigil-join-x");

    @TempDir
    Path dir;

    private int tried;
    private int refused;
    private final List<String> gotThrough = new ArrayList<>();

    @Test
    void everyPrincipalIsDeniedWhatTheTableDoesNotGrantAndStrangersAreRefused(LocalCluster cluster) throws Exception {
        cluster.nodeWriterIdentity(NODE);
        List<String> principals = new ArrayList<>(BusAcls.SERVICES);
        principals.add(BusAcls.nodeWriter(NODE));
        List<String> topics = new ArrayList<>(Topics.all().stream().map(Topics.Definition::name).toList());
        topics.add("sigil-issuer-used-proofs-changelog"); // another app's internal topic (prefix sigil-issuer-)
        topics.add("sigil-renewal-timers-changelog");

        for (String principal : principals) {
            Map<String, Object> client = cluster.kafkaClient(principal);
            control(principal, client);
            for (String topic : topics) {
                if (!BusAcls.allows(principal, topic, AclOperation.WRITE)) {
                    attempt(principal + " produces to " + topic, () -> produce(client, topic));
                }
                if (!BusAcls.allows(principal, topic, AclOperation.READ)) {
                    attempt(principal + " consumes " + topic, () -> consume(client, topic));
                }
            }
            String readable = topics.stream().filter(t -> BusAcls.allows(principal, t, AclOperation.READ)).findFirst().orElseThrow();
            for (String group : GROUPS) {
                if (!granted(principal, ResourceType.GROUP, group)) {
                    attempt(principal + " joins group " + group, () -> commitIn(client, group, readable));
                }
            }
            for (String app : STREAMS_APPS) {
                if (!granted(principal, ResourceType.TRANSACTIONAL_ID, app + "-x")) {
                    attempt(principal + " takes transactional id " + app + "-x", () -> transact(client, app + "-x"));
                }
            }
            attempt(principal + " creates a topic", () -> admin(client, a -> a.createTopics(
                    List.of(new NewTopic("sigil.attack." + principal, 1, (short) 1))).all().get(15, TimeUnit.SECONDS)));
            attempt(principal + " deletes " + Topics.CA, () -> admin(client, a -> a.deleteTopics(List.of(Topics.CA)).all()
                    .get(15, TimeUnit.SECONDS)));
            attempt(principal + " grants itself all on " + Topics.CA, () -> admin(client, a -> a.createAcls(List.of(new AclBinding(
                    new ResourcePattern(ResourceType.TOPIC, Topics.CA, PatternType.LITERAL),
                    new AccessControlEntry("User:" + principal, "*", AclOperation.ALL, AclPermissionType.ALLOW)))).all()
                    .get(15, TimeUnit.SECONDS)));
        }

        // No credentials at all: TLS without a client certificate, and plaintext.
        Map<String, Object> noCertificate = new HashMap<>(cluster.kafkaClient());
        noCertificate.remove("ssl.keystore.key");
        noCertificate.remove("ssl.keystore.certificate.chain");
        noCertificate.remove("ssl.keystore.type");
        attempt("a client without a certificate reads " + Topics.CA, () -> consume(noCertificate, Topics.CA));
        attempt("a client without a certificate writes " + Topics.ISSUE_REQUESTS, () -> produce(noCertificate, Topics.ISSUE_REQUESTS));
        Map<String, Object> plaintext = Map.of("bootstrap.servers", cluster.bootstrapServers());
        attempt("a plaintext client reads " + Topics.CA, () -> consume(plaintext, Topics.CA), true);
        // A certificate naming the operator, from a CA of its own: the broker trusts only the bus CA.
        BusCa stranger = new BusCa(dir.resolve("stranger"), "Sigil bus CA");
        Path forged = stranger.identity(BusAcls.ADMIN);
        Files.copy(cluster.busIdentity(BusAcls.ADMIN).resolve(BusIdentity.CA_FILE), forged.resolve(BusIdentity.CA_FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING); // it trusts the real broker, to get as far as it can
        Map<String, Object> forgedClient = BusIdentity.client(cluster.bootstrapServers(), Optional.of(forged));
        attempt("sigil-admin from another CA reads " + Topics.CA, () -> consume(forgedClient, Topics.CA));
        attempt("sigil-admin from another CA deletes " + Topics.CA,
                () -> admin(forgedClient, a -> a.deleteTopics(List.of(Topics.CA)).all().get(15, TimeUnit.SECONDS)));

        System.out.printf("bus attack matrix: tried %d, refused %d, got through %d%n", tried, refused, gotThrough.size());
        gotThrough.forEach(g -> System.out.println("  got through: " + g));
        assertThat(gotThrough).isEmpty();
        assertThat(refused).isEqualTo(tried);
    }

    private static boolean granted(String principal, ResourceType type, String name) {
        return BusAcls.of(principal).stream().anyMatch(g -> g.type() == type
                && (g.pattern() == PatternType.LITERAL ? g.name().equals(name) : name.startsWith(g.name())));
    }

    /** One read the table grants must work, or the denials below would prove nothing. */
    private static void control(String principal, Map<String, Object> client) throws Exception {
        String topic = Topics.all().stream().map(Topics.Definition::name)
                .filter(t -> BusAcls.allows(principal, t, AclOperation.READ)).findFirst().orElseThrow();
        assertThat(consume(client, topic)).as(principal + " reads " + topic).isTrue();
    }

    interface Attack {
        /** True if the operation went through; an exception is a refusal only if it is an authorization or authentication one. */
        boolean run() throws Exception;
    }

    private void attempt(String what, Attack attack) {
        attempt(what, attack, false);
    }

    /** {@code silenceIsRefusal}: for a client the broker never talks to (plaintext on a TLS port), a timeout is the refusal. */
    private void attempt(String what, Attack attack, boolean silenceIsRefusal) {
        tried++;
        try {
            if (attack.run()) {
                gotThrough.add(what);
            } else {
                refused++;
            }
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            boolean silence = cause instanceof org.apache.kafka.common.errors.TimeoutException
                    || cause instanceof java.util.concurrent.TimeoutException;
            if (cause instanceof AuthorizationException || cause instanceof AuthenticationException || (silenceIsRefusal && silence)) {
                refused++; // denied by an ACL, refused at the TLS handshake, or (plaintext) never answered
            } else {
                gotThrough.add(what + " (unexpected " + cause + ")");
            }
        }
    }

    private static boolean produce(Map<String, Object> client, String topic) throws Exception {
        Map<String, Object> settings = new HashMap<>(client);
        settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        settings.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(settings, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "attack", "{\"attack\":true}")).get(15, TimeUnit.SECONDS);
            return true;
        }
    }

    /** Reads partition 0 from the beginning for a few seconds: true if the broker let it read (records or not). */
    private static boolean consume(Map<String, Object> client, String topic) throws Exception {
        Map<String, Object> settings = new HashMap<>(client);
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        settings.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(settings, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            Instant deadline = Instant.now().plusSeconds(6);
            while (Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(500));
            }
            consumer.position(partition, Duration.ofSeconds(10)); // throws if it never could read
            return true;
        }
    }

    private static boolean commitIn(Map<String, Object> client, String group, String readableTopic) throws Exception {
        Map<String, Object> settings = new HashMap<>(client);
        settings.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(settings, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(readableTopic, 0);
            consumer.assign(List.of(partition));
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(0)));
            return true;
        }
    }

    private static boolean transact(Map<String, Object> client, String transactionalId) {
        Map<String, Object> settings = new HashMap<>(client);
        settings.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(settings, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            return true;
        }
    }

    interface AdminCall {
        void run(Admin admin) throws Exception;
    }

    private static boolean admin(Map<String, Object> client, AdminCall call) throws Exception {
        Map<String, Object> settings = new HashMap<>(client);
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (Admin admin = Admin.create(settings)) {
            call.run(admin);
            return true;
        }
    }
}
