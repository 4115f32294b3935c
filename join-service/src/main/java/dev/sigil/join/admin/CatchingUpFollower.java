package dev.sigil.join.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import dev.sigil.contract.BusIdentityConfig;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;

/**
 * Follows a whole compacted topic on a thread of its own, from its beginning (assigned partitions, no group: every
 * replica reads everything), handing each key and value (null: a tombstone) to {@code apply}.
 *
 * <p>{@link #catchUp} is what makes the admin API's reads and version checks honest: it asks the broker where the
 * topic ends <em>now</em> and waits until this follower has applied everything before that point, so a version
 * compared afterwards is the one every write acknowledged before the call left behind, whichever replica made it.
 * Reads are {@code read_committed}, so the issuer's transactional records count once committed and never before.
 */
final class CatchingUpFollower implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CatchingUpFollower.class);

    private final String topic;
    private final BiConsumer<String, String> apply;
    private final KafkaConsumer<String, String> consumer;
    /** Only for asking where the topic ends; the follower's own consumer belongs to its thread. */
    private final KafkaConsumer<String, String> offsets;
    private final Thread thread;
    private final Object progress = new Object();
    /** Per partition, the offset of the next record to apply: everything before it has been applied. */
    private final Map<Integer, Long> positions = new HashMap<>();
    private volatile boolean running = true;

    CatchingUpFollower(String bootstrapServers, String topic, BiConsumer<String, String> apply) {
        this.topic = topic;
        this.apply = apply;
        Map<String, Object> settings = new HashMap<>(BusIdentityConfig.client(bootstrapServers));
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(settings, new StringDeserializer(), new StringDeserializer());
        this.offsets = new KafkaConsumer<>(settings, new StringDeserializer(), new StringDeserializer());
        this.thread = new Thread(this::run, "admin-view-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Waits until everything the topic held when this was called has been applied; refused with 503 UNAVAILABLE
     * when that takes longer than {@code limit} (the broker unreachable, or this replica still far behind).
     */
    void catchUp(Duration limit) {
        Instant deadline = Instant.now().plus(limit);
        Map<Integer, Long> end = new HashMap<>();
        try {
            synchronized (offsets) {
                List<TopicPartition> partitions = offsets.partitionsFor(topic, limit).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                offsets.endOffsets(partitions, limit).forEach((p, offset) -> end.put(p.partition(), offset));
            }
        } catch (RuntimeException e) {
            throw unavailable("could not ask Kafka where " + topic + " ends (" + e.getClass().getSimpleName() + ")");
        }
        synchronized (progress) {
            while (!reached(end)) {
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (left <= 0) {
                    throw unavailable("join-service has not read " + topic + " up to its end within " + limit);
                }
                try {
                    progress.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw unavailable("interrupted while reading " + topic);
                }
            }
        }
    }

    private boolean reached(Map<Integer, Long> end) {
        return end.entrySet().stream().allMatch(e -> positions.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    private static RefusalException unavailable(String why) {
        return new RefusalException(503, Refusal.UNAVAILABLE, why + "; retry shortly");
    }

    private void run() {
        try {
            List<TopicPartition> partitions = List.of();
            while (running && partitions.isEmpty()) {
                try {
                    partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    LOG.warnf("topic %s is not readable yet (%s); trying again", topic, e.getMessage());
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        apply.accept(record.key(), record.value());
                    } catch (RuntimeException e) {
                        // One unusable record must not stop the view: it is treated as absent by apply's own rules.
                        LOG.warnf("skipping an unreadable record at %s-%d@%d: %s", topic, record.partition(), record.offset(), e);
                    }
                }
                Map<Integer, Long> now = new HashMap<>();
                for (TopicPartition partition : partitions) {
                    now.put(partition.partition(), consumer.position(partition));
                }
                synchronized (progress) {
                    positions.putAll(now);
                    progress.notifyAll();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.errorf(e, "stopped following %s", topic);
        } finally {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (offsets) {
            offsets.close(Duration.ofSeconds(1));
        }
    }
}
