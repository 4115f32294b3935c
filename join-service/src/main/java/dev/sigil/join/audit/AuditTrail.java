package dev.sigil.join.audit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.sigil.contract.BusIdentityConfig;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The tail of {@code sigil.audit} on this replica: the last {@value #KEPT} records (committed only, as the issuer writes
 * them in its transactions) and whoever follows it. One consumer per replica however many admins follow, each with no
 * consumer group: it reads from where each partition ends minus {@value #KEPT} at start.
 */
@ApplicationScoped
public class AuditTrail {
    private static final Logger LOG = Logger.getLogger(AuditTrail.class);
    public static final int KEPT = 1000;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final ArrayDeque<String> recent = new ArrayDeque<>();
    private final List<Consumer<String>> followers = new CopyOnWriteArrayList<>();
    private volatile KafkaConsumer<String, String> consumer;
    private volatile boolean running = true;
    private Thread reader;

    void start(@Observes StartupEvent event) {
        reader = new Thread(this::follow, "audit-trail");
        reader.setDaemon(true);
        reader.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /** The last {@code limit} lines, oldest first. */
    public synchronized List<String> recent(int limit) {
        List<String> lines = new ArrayList<>();
        // Newest first until there are enough, then back in order: only what is asked for is compacted.
        for (var newest = recent.descendingIterator(); newest.hasNext() && lines.size() < limit;) {
            String line = compact(newest.next());
            if (line != null) {
                lines.add(line);
            }
        }
        java.util.Collections.reverse(lines);
        return lines;
    }

    /**
     * The last {@code limit} lines, then every new one as it comes, to {@code follower} (called on the reader's thread:
     * it must not block). Nothing falls between the two: both happen under the trail's lock. Returns how to stop.
     */
    public synchronized Runnable follow(int limit, Consumer<String> follower) {
        recent(limit).forEach(follower);
        followers.add(follower);
        return () -> followers.remove(follower);
    }

    public int followers() {
        return followers.size();
    }

    private void follow() {
        while (running) {
            Map<String, Object> settings = new HashMap<>(BusIdentityConfig.client(bootstrapServers));
            settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(settings, new StringDeserializer(), new StringDeserializer())) {
                consumer = c;
                List<TopicPartition> partitions = c.partitionsFor(Topics.AUDIT, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                c.assign(partitions);
                Map<TopicPartition, Long> begin = c.beginningOffsets(partitions);
                Map<TopicPartition, Long> end = c.endOffsets(partitions);
                partitions.forEach(p -> c.seek(p, Math.max(begin.get(p), end.get(p) - KEPT)));
                // Catch up first and order what was read by time: partitions interleave arbitrarily in one poll.
                List<ConsumerRecord<String, String>> backlog = new ArrayList<>();
                while (running && partitions.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                    c.poll(Duration.ofMillis(500)).forEach(backlog::add);
                }
                backlog.sort(Comparator.comparingLong(ConsumerRecord::timestamp));
                backlog.forEach(r -> add(r.value()));
                while (running) {
                    c.poll(Duration.ofSeconds(1)).forEach(r -> add(r.value()));
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("reading %s failed (%s); trying again in 5 s", Topics.AUDIT, e.toString());
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Keeps the raw value; it is parsed only when someone reads it (every join writes a line, few are read). */
    private synchronized void add(String value) {
        if (value == null) {
            return;
        }
        recent.addLast(value);
        if (recent.size() > KEPT) {
            recent.removeFirst();
        }
        String line = followers.isEmpty() ? null : compact(value);
        if (line == null) {
            return;
        }
        for (Consumer<String> f : followers) {
            try {
                f.accept(line);
            } catch (RuntimeException e) {
                followers.remove(f);
            }
        }
    }

    /**
     * Only JSON objects are passed on, on one line: they are embedded in JSON answers and server-sent events as they
     * are (an SSE data field ends at a line break).
     */
    private static String compact(String value) {
        try {
            var tree = value == null ? null : EventJson.MAPPER.readTree(value);
            return tree != null && tree.isObject() ? EventJson.MAPPER.writeValueAsString(tree) : null;
        } catch (Exception e) {
            return null;
        }
    }
}
