package dev.sigil.output.delivery;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.OutputRequest;
import dev.sigil.contract.RenewalDue;
import dev.sigil.contract.TopicReader;
import dev.sigil.contract.RequestSignatures;
import dev.sigil.contract.Topics;
import dev.sigil.output.destination.Destination;
import dev.sigil.output.destination.Destinations;
import dev.sigil.output.destination.OutputFile;
import dev.sigil.output.keys.HolderKey;
import dev.sigil.output.output.Credentials;
import dev.sigil.output.output.Outputs;
import dev.sigil.output.output.RenderOptions;
import dev.sigil.output.output.UnsafeOutputException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * output-writer's deliveries. Replicas share the consumer group of {@code sigil.deliveries}, so each delivery is
 * held by the one replica that owns its partition; a replica reads its partitions from the start (the topic is
 * compacted) whenever it gets them, so when one dies the survivor takes its deliveries over. For each delivery
 * the holder makes a key pair (kept in memory, written only to the destination), asks the issuer for certificates
 * over Kafka, renders the output and writes it; it does so again, with a new key, when renewal-service says the
 * identity is due on {@code sigil.renewal.due} — or, should that not come, at 3/4 of the lifetime. A removed
 * delivery's files are removed.
 *
 * <p>No record stops a loop. A delivery that cannot be read or breaks {@link DeliveryCheck} (names, paths, kinds) is
 * dead-lettered to {@code sigil.deliveries.dlq} with the reason and never written; a version of it held before stays
 * as it was. An unreadable renewal-due is skipped with a log line ({@code sigil_records_ignored_total}): every
 * replica and agent reads it, and renewal-service, which wrote it, owns it. Answers the issuer gives that cannot be
 * rendered safely are dead-lettered by {@link IssueRequests}; the delivery notes the problem and tries again later.
 */
@ApplicationScoped
public class DeliveryService {
    private static final Logger LOG = Logger.getLogger(DeliveryService.class);
    static final String INSTANCE_PREFIX = "delivery-";
    /** The join method the issuer accepts from output-writer: the delivery itself vouches for the request. */
    static final String METHOD = "delivery";
    private static final double FALLBACK_POINT = 0.75;
    private static final Duration RETRY_AFTER_REFUSAL = Duration.ofSeconds(30);

    private final Map<String, Delivery> held = new ConcurrentHashMap<>();
    private final ScheduledExecutorService workers = Executors.newScheduledThreadPool(4, r -> {
        Thread t = new Thread(r, "deliverer");
        t.setDaemon(true);
        return t;
    });
    private KubernetesClient kubernetes;
    private Issuer issuer;
    private Consumer<String, String> deliveries;
    private Consumer<String, String> due;
    private Producer<String, String> deadLetterProducer;
    private DeadLetters deadLetters;
    private RecordFailures failures;
    private volatile boolean running = true;

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;
    @ConfigProperty(name = "sigil.service-identity.dir")
    Optional<Path> identity;
    @ConfigProperty(name = "sigil.deliveries.enabled", defaultValue = "true")
    boolean enabled;
    /** Set on a runner node's writer (the DaemonSet): it holds only that node's deliveries, in a group of its own. */
    @ConfigProperty(name = "sigil.deliveries.node")
    java.util.Optional<String> node;
    @ConfigProperty(name = "sigil.deliveries.session-timeout", defaultValue = "6s")
    Duration sessionTimeout;
    @ConfigProperty(name = "sigil.deliveries.issue-timeout", defaultValue = "10s")
    Duration issueTimeout;

    /** A delivery this replica holds: what it is, where it goes, and where its certificates stand. */
    static final class Delivery {
        final DeliverySpec spec;
        final int partition;
        Destination destination;
        List<String> written = List.of();
        Instant validBefore;
        Instant renewedAt;
        String instanceId;
        String problem;
        ScheduledFuture<?> next;

        Delivery(DeliverySpec spec, int partition) {
            this.spec = spec;
            this.partition = partition;
        }
    }

    /** What {@code GET /v1/deliveries} shows of a held delivery. */
    public record DeliveryView(String id, String bot, String kind, String destination, String instanceId, Instant validBefore,
            Instant renewedAt, String problem) {
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        failures = new RecordFailures(registry);
        Properties producer = new Properties();
        producer.putAll(dev.sigil.contract.BusIdentityConfig.client(bootstrapServers));
        KafkaConsumer<String, String> dueConsumer = new KafkaConsumer<>(consumerProperties(null), new StringDeserializer(),
                new StringDeserializer());
        TopicReader.followFromNow(dueConsumer, Topics.RENEWAL_DUE);
        String group = node.map(n -> "sigil-output-writer-node-" + n).orElse("sigil-output-writer");
        connect(new IssueRequests(bootstrapServers, issueTimeout, failures)
                        .signedBy(identity.map(RequestSignatures.Signer::fromDirectory)),
                new KafkaConsumer<>(consumerProperties(group), new StringDeserializer(), new StringDeserializer()), dueConsumer,
                new KafkaProducer<>(producer, new StringSerializer(), new StringSerializer()), failures);
        follow("deliveries", deliveries, this::pollDeliveries);
        follow("renewal-due", due, this::pollRenewalDue);
    }

    /**
     * Takes the clients to work with and subscribes to the deliveries; package-private so a test can hand in mock
     * clients and poll by hand ({@link #pollDeliveries()}, {@link #pollRenewalDue()}).
     */
    void connect(Issuer issuer, Consumer<String, String> deliveries, Consumer<String, String> due,
            Producer<String, String> deadLetterProducer, RecordFailures failures) {
        this.issuer = issuer;
        this.deliveries = deliveries;
        this.due = due;
        this.deadLetterProducer = deadLetterProducer;
        this.failures = failures;
        this.deadLetters = new DeadLetters(deadLetterProducer, failures);
        // Offsets are never committed: a replica that gets a partition reads it whole, every delivery on it.
        deliveries.subscribe(List.of(Topics.DELIVERIES), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                release(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                release(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                LOG.infof("holding the deliveries of partitions %s", partitions);
                deliveries.seekToBeginning(partitions);
            }
        });
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        workers.shutdownNow();
        if (deliveries != null) {
            deliveries.wakeup();
            due.wakeup();
            issuer.close();
            deadLetterProducer.close(Duration.ofSeconds(2));
        }
    }

    /** The deliveries this replica holds now. */
    public List<DeliveryView> held() {
        return held.values().stream().map(d -> new DeliveryView(d.spec.id(), d.spec.bot(), d.spec.output().kind(),
                d.destination == null ? null : d.destination.describe(), d.instanceId, d.validBefore, d.renewedAt, d.problem))
                .sorted(java.util.Comparator.comparing(DeliveryView::id)).toList();
    }

    private Properties consumerProperties(String group) {
        Properties p = new Properties();
        p.putAll(dev.sigil.contract.BusIdentityConfig.client(bootstrapServers));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        if (group != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(sessionTimeout.toMillis()));
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, String.valueOf(Math.max(500, sessionTimeout.toMillis() / 4)));
        }
        return p;
    }

    /**
     * Polls on a thread of its own until shutdown. A record's failure is handled where it is read; what reaches here
     * is the consumer's own (an unreadable batch is skipped past), logged, counted, and polled again.
     */
    private void follow(String name, Consumer<String, String> consumer, Runnable poll) {
        Thread thread = new Thread(() -> {
            try {
                while (running) {
                    try {
                        poll.run();
                    } catch (WakeupException | InterruptException e) {
                        throw e;
                    } catch (RecordDeserializationException e) {
                        LOG.errorf("skipping an unreadable record of %s at offset %d: %s", e.topicPartition(), e.offset(),
                                e.getMessage());
                        failures.ignored(e.topicPartition().topic());
                        consumer.seek(e.topicPartition(), e.offset() + 1);
                    } catch (RuntimeException e) {
                        LOG.errorf(e, "%s: polling failed; polling on", name);
                        failures.failed("poll-" + name, e);
                        pause();
                    }
                }
            } catch (WakeupException | InterruptException e) {
                // shutting down
            } finally {
                consumer.close(Duration.ofSeconds(2));
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void pause() {
        try {
            TimeUnit.SECONDS.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** One poll of {@code sigil.deliveries}: each record applied, or dead-lettered with the reason. */
    void pollDeliveries() {
        for (ConsumerRecord<String, String> record : deliveries.poll(Duration.ofMillis(500))) {
            try {
                onDelivery(record);
            } catch (WakeupException | InterruptException e) {
                throw e;
            } catch (RuntimeException e) {
                // Nothing a delivery holds should get here; if something does, it is that record's, not the loop's.
                LOG.errorf(e, "delivery record at %s-%d offset %d failed", record.topic(), record.partition(), record.offset());
                failures.failed("delivery", e);
                deadLetters.park(record, record.value(), e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

    private void release(Collection<TopicPartition> partitions) {
        var numbers = partitions.stream().map(TopicPartition::partition).toList();
        held.values().removeIf(d -> {
            if (numbers.contains(d.partition)) {
                cancel(d);
                return true;
            }
            return false;
        });
    }

    private void onDelivery(ConsumerRecord<String, String> record) {
        if (record.value() == null) {
            if (record.key() == null) {
                LOG.warnf("skipping a tombstone without a key at %s-%d offset %d", record.topic(), record.partition(),
                        record.offset());
                failures.ignored(record.topic());
                return;
            }
            Delivery gone = held.remove(record.key());
            if (gone != null) {
                cancel(gone);
                workers.execute(() -> removeFiles(gone));
            }
            return;
        }
        DeliverySpec spec;
        try {
            spec = EventJson.read(record.value(), DeliverySpec.class);
        } catch (MalformedEventException e) {
            deadLetters.park(record, record.value(), e.getMessage());
            return;
        }
        Optional<String> problem = DeliveryCheck.problem(spec, record.key());
        if (problem.isPresent()) {
            // Not applied: a version of this delivery held before stays as it was.
            deadLetters.park(record, record.value(), problem.get());
            return;
        }
        if (!java.util.Objects.equals(spec.node(), node.orElse(null))) {
            Delivery moved = held.remove(spec.id());
            if (moved != null) {
                cancel(moved);
            }
            return; // another machine's writer writes it
        }
        Delivery previous = held.get(spec.id());
        if (previous != null && previous.spec.equals(spec)) {
            return; // the same delivery read again; it is already kept fresh
        }
        if (previous != null) {
            cancel(previous);
        }
        Delivery delivery = new Delivery(spec, record.partition());
        held.put(spec.id(), delivery);
        schedule(delivery, Duration.ZERO);
    }

    /** One poll of {@code sigil.renewal.due}: a held delivery that is due is renewed now; anything unreadable is skipped. */
    void pollRenewalDue() {
        for (ConsumerRecord<String, String> record : due.poll(Duration.ofMillis(500))) {
            try {
                RenewalDue event = EventJson.read(record.value(), RenewalDue.class);
                String instance = event.instanceId();
                if (instance != null && instance.startsWith(INSTANCE_PREFIX)) {
                    Delivery delivery = held.get(instance.substring(INSTANCE_PREFIX.length()));
                    if (delivery != null && instance.equals(delivery.instanceId)) {
                        LOG.infof("renewal due for delivery %s: renewing now", delivery.spec.id());
                        schedule(delivery, Duration.ZERO);
                    }
                }
            } catch (WakeupException | InterruptException e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.warnf("skipping a renewal-due at %s-%d offset %d: %s", record.topic(), record.partition(), record.offset(),
                        DeadLetters.printable(String.valueOf(e.getMessage())));
                failures.ignored(record.topic());
            }
        }
    }

    private synchronized void schedule(Delivery delivery, Duration delay) {
        if (delivery.next != null) {
            delivery.next.cancel(false);
        }
        if (running) {
            delivery.next = workers.schedule(() -> refresh(delivery), delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void cancel(Delivery delivery) {
        if (delivery.next != null) {
            delivery.next.cancel(false);
        }
    }

    /** Issues fresh certificates for a new key and writes the output; schedules the fallback renewal or a retry. */
    private void refresh(Delivery delivery) {
        synchronized (delivery) {
            if (held.get(delivery.spec.id()) != delivery) {
                return; // released or replaced meanwhile
            }
            DeliverySpec spec = delivery.spec;
            HolderKey key = HolderKey.generate();
            boolean identity = OutputRequest.IDENTITY.equals(spec.output().kind());
            OutputRequest output = spec.output();
            List<OutputRequest> outputs = identity ? List.of() : List.of(new OutputRequest(spec.id(), output.kind(),
                    output.roles(), key.publicKeyLine(), output.app(), output.databaseService(), output.databaseUser(),
                    output.databaseName(), output.kubernetesCluster(), output.hostNames(), output.spiffePath(), output.cluster()));
            IssueRequest request = new IssueRequest(UUID.randomUUID().toString(), spec.bot(),
                    new Attestation(METHOD, spec.id(), null, null), key.publicKeyLine(), spec.ttl(),
                    Instant.now(), null, outputs);
            try {
                IssueResult result = issuer.issue(request);
                if (!result.isIssued()) {
                    delivery.problem = DeadLetters.printable(result.refusal().code() + ": " + result.refusal().message());
                    LOG.warnf("delivery %s refused: %s", spec.id(), delivery.problem);
                    schedule(delivery, RETRY_AFTER_REFUSAL);
                    return;
                }
                Credentials credentials = identity ? Credentials.identity(result, key)
                        : Credentials.output(result, result.outputs().get(0), key);
                if (delivery.destination == null) {
                    delivery.destination = Destinations.open(spec.destination(), this::kubernetes);
                }
                List<OutputFile> files = Outputs.render(credentials, new RenderOptions(spec.format(), spec.kubernetesServer()),
                        spec.destination());
                delivery.destination.write(files);
                delivery.written = files.stream().map(OutputFile::name).toList();
                delivery.instanceId = result.identity().instanceId();
                delivery.validBefore = credentials.validBefore();
                delivery.renewedAt = Instant.now();
                delivery.problem = null;
                Duration lifetime = Duration.between(delivery.renewedAt, delivery.validBefore);
                schedule(delivery, Duration.ofMillis((long) (lifetime.toMillis() * FALLBACK_POINT)));
                LOG.infof("delivered %s of bot %s to %s, valid until %s", output.kind(), spec.bot(),
                        delivery.destination.describe(), delivery.validBefore);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IssueRequests.RejectedAnswer | UnsafeOutputException e) {
                // Nothing was written. The same answer would be refused again soon: wait as after a refusal.
                delivery.problem = DeadLetters.printable(e.getMessage());
                LOG.warnf("delivery %s not written, retrying in %s: %s", spec.id(), RETRY_AFTER_REFUSAL, delivery.problem);
                if (e instanceof UnsafeOutputException) {
                    failures.failed("render", e); // an answer the issuer gave is counted where it was dead-lettered
                }
                schedule(delivery, RETRY_AFTER_REFUSAL);
            } catch (Exception e) {
                delivery.problem = DeadLetters.printable(String.valueOf(e.getMessage()));
                LOG.warnf("delivery %s failed, retrying in 5s: %s", spec.id(), delivery.problem);
                schedule(delivery, Duration.ofSeconds(5));
            }
        }
    }

    private void removeFiles(Delivery delivery) {
        synchronized (delivery) {
            try {
                Destination destination = delivery.destination != null ? delivery.destination
                        : Destinations.open(delivery.spec.destination(), this::kubernetes);
                destination.remove(delivery.written);
                LOG.infof("delivery %s removed; removed its files from %s", delivery.spec.id(), destination.describe());
            } catch (IOException | RuntimeException e) {
                LOG.warnf("delivery %s removed, but its files could not be: %s", delivery.spec.id(), e.getMessage());
            }
        }
    }

    private synchronized KubernetesClient kubernetes() {
        if (kubernetes == null) {
            kubernetes = new KubernetesClientBuilder().build();
        }
        return kubernetes;
    }
}
