package dev.sigil.join.webhook;

import java.time.Duration;
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

/**
 * Reads a whole topic, from its beginning, on a thread of its own, and keeps following it: each record's key and
 * value (null for a tombstone) go to {@code apply}. {@link #caughtUp()} says whether everything the topic held when
 * reading began has been applied; until then, "not seen" does not mean "absent".
 */
public final class TopicFollower implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TopicFollower.class);

    private final String topic;
    private final BiConsumer<String, String> apply;
    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean caughtUp;

    public TopicFollower(String bootstrapServers, String topic, BiConsumer<String, String> apply) {
        this.topic = topic;
        this.apply = apply;
        // Assigned partitions and no group: every replica reads everything, and nothing is committed.
        Map<String, Object> settings = new java.util.HashMap<>(dev.sigil.contract.BusIdentityConfig.client(bootstrapServers));
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(settings, new StringDeserializer(), new StringDeserializer());
        this.thread = new Thread(this::run, "follow-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    public boolean caughtUp() {
        return caughtUp;
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
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<TopicPartition> all = partitions;
            while (running) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        apply.accept(record.key(), record.value());
                    } catch (RuntimeException e) {
                        LOG.warnf("skipping an unreadable record at %s-%d@%d: %s", topic, record.partition(), record.offset(), e);
                    }
                }
                if (!caughtUp && all.stream().allMatch(p -> consumer.position(p) >= end.get(p))) {
                    caughtUp = true;
                    LOG.debugf("read %s to where it ended at start", topic);
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
    }
}
