package dev.sigil.bench;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;

import dev.sigil.deploy.LocalCluster;

/**
 * Bytes on the broker's disks per topic, every partition and every topic included: Sigil's, Kafka Streams'
 * changelogs and repartition topics, {@code __transaction_state} and {@code __consumer_offsets}. Two snapshots around
 * a measured window give what one unit of work writes to Kafka, topic by topic.
 */
record KafkaBytes(Map<String, Long> byTopic) {
    static KafkaBytes snapshot(LocalCluster cluster) throws Exception {
        try (Admin admin = Admin.create(cluster.kafkaClient())) {
            List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(Node::id).toList();
            Map<String, Long> bytes = new TreeMap<>();
            admin.describeLogDirs(brokers).allDescriptions().get().values().forEach(dirs -> dirs.values().forEach(dir ->
                    dir.replicaInfos().forEach((partition, info) -> bytes.merge(partition.topic(), info.size(), Long::sum))));
            return new KafkaBytes(bytes);
        }
    }

    /**
     * Bytes per unit of work since {@code before}, per topic that grew, plus {@code total}. A compacted or deleted
     * segment in the window would make a topic shrink; the window is seconds and segments are large, so it does not.
     */
    Map<String, Double> perUnitSince(KafkaBytes before, long units) {
        Map<String, Double> per = new TreeMap<>();
        double total = 0;
        for (var topic : byTopic.entrySet()) {
            long written = topic.getValue() - before.byTopic.getOrDefault(topic.getKey(), 0L);
            if (written != 0) {
                per.put(topic.getKey(), (double) written / units);
                total += (double) written / units;
            }
        }
        per.put("total", total);
        return per;
    }
}
