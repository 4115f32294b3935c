package dev.sigil.contract;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads topics once from the beginning to their current end: the values under one key, oldest first (a tombstone is
 * a null), for start-up reads of compacted state, the launcher and tests; or every record, for sweeps. Also tails a
 * topic from now on.
 */
public final class TopicReader {

    /**
     * Assigns the consumer every partition of the topic, positioned at the current end: it sees only what is
     * written from now on. The position is fixed before returning, so nothing written after this call is missed.
     */
    public static void followFromNow(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer, String topic) {
        List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    public static List<String> valuesOf(String bootstrapServers, String topic, String key, Duration timeout) {
        return valuesOf(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), topic, key, timeout);
    }

    /** As above, with a client's settings (bootstrap servers and its bus identity, {@link BusIdentity#client}). */
    public static List<String> valuesOf(Map<String, ?> client, String topic, String key, Duration timeout) {
        List<String> values = new ArrayList<>();
        readAll(client, List.of(topic), true, timeout, r -> {
            if (key.equals(r.key())) {
                values.add(r.value());
            }
        });
        return values;
    }

    /**
     * Reads every partition of the topics once, from the beginning to where each ends now, handing each record on.
     * {@code committedOnly}: skip records of aborted and open transactions, as Sigil's consumers do; without it the
     * log is read as it lies on disk, as anyone with read access to the topic could.
     */
    public static void readAll(String bootstrapServers, Collection<String> topics, boolean committedOnly, Duration timeout,
            java.util.function.Consumer<ConsumerRecord<String, String>> each) {
        readAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), topics, committedOnly, timeout, each);
    }

    /**
     * As above, with a client's settings. No consumer group: partitions are assigned and nothing is committed, so a
     * reader needs read access to the topics only.
     */
    public static void readAll(Map<String, ?> client, Collection<String> topics, boolean committedOnly, Duration timeout,
            java.util.function.Consumer<ConsumerRecord<String, String>> each) {
        Map<String, Object> settings = new java.util.HashMap<>(client);
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(settings, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic, timeout).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Instant deadline = Instant.now().plus(timeout);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("could not read " + topics + " to their end within " + timeout);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(each);
            }
        }
    }

    private TopicReader() {
    }
}
