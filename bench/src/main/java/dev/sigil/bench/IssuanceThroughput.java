package dev.sigil.bench;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.sigil.contract.TopicReader;
import dev.sigil.contract.Topics;
import dev.sigil.deploy.AdminClient;
import dev.sigil.deploy.BotKeys;
import dev.sigil.deploy.LocalCluster;
import dev.sigil.deploy.Service;

/**
 * Benchmark 2: end-to-end issuance throughput on Kafka. A broker, issuer-service (exactly-once) and join-service (for
 * the admin API) run on this machine; the driver puts issue requests for 64 bots' deliveries on
 * {@code sigil.issue.requests} as fast as it can and counts results committed on {@code sigil.issue.results}
 * (read_committed: each one durable). Three warm-up rounds, then three measured; prints each, the median and the
 * bytes one issuance writes to the broker. Each measured round follows one of {@link KafkaEcho} answering every
 * request with a real issue result, exactly-once: what Kafka alone allows on this machine.
 *
 * <pre>mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.IssuanceThroughput -Dexec.args="20000"</pre>
 */
public final class IssuanceThroughput {
    private static final int BOTS = 64;

    public static void main(String[] args) throws Exception {
        int perRound = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        // Further arguments NAME=value go to the services' environment, e.g. KAFKA_STREAMS_COMMIT_INTERVAL_MS=100.
        LocalCluster configured = ServiceSettings.apply(new LocalCluster(LocalCluster.sourceRoot(),
                Files.createTempDirectory("sigil-bench-issue"), "bench.sigil.test").withReplicas(Service.RENEWAL, 0)
                .withReplicas(Service.OUTPUT_WRITER, 0), args, 1);
        try (LocalCluster cluster = configured.start()) {
            List<String> bots = DeliveryBots.create(new AdminClient(cluster), BOTS);
            String publicKey = BotKeys.newPublicKey();
            Map<String, Object> bootstrap = cluster.kafkaClient(); // as sigil-admin
            DeliveryBots.signAs(cluster.busIdentity("output-writer"));
            AtomicReference<String> sample = new AtomicReference<>();
            for (int w = 1; w <= 3; w++) { // the JIT needs tens of thousands of issuances
                round(bootstrap, Topics.ISSUE_REQUESTS, Topics.ISSUE_RESULTS, bots, publicKey, perRound, "warm-up " + w, sample);
            }
            try (KafkaEcho echo = KafkaEcho.answeringWith(bootstrap, sample.get())) {
                int echoRound = 5 * perRound; // the echo is fast: a round as long as the issuer's for a steadier figure
                round(bootstrap, echo.requests, echo.answers, bots, publicKey, echoRound, "warm-up echo", sample);
                // Kafka alone and the issuer take turns, so both meet the same machine.
                Map<String, Long> before = topicBytes(cluster);
                double[] rates = new double[3];
                double[] floor = new double[3];
                for (int r = 0; r < rates.length; r++) {
                    floor[r] = round(bootstrap, echo.requests, echo.answers, bots, publicKey, echoRound, "round " + (r + 1) + " Kafka echo", sample);
                    rates[r] = round(bootstrap, Topics.ISSUE_REQUESTS, Topics.ISSUE_RESULTS, bots, publicKey, perRound,
                            "round " + (r + 1) + " issuer", sample);
                }
                printBytesPerIssuance(before, topicBytes(cluster), 3L * perRound);
                Arrays.sort(rates);
                Arrays.sort(floor);
                System.out.printf("%nKafka alone (an exactly-once echo answering with a real issue result, no signing): median %.0f/s "
                        + "(min %.0f, max %.0f)%n", floor[1], floor[0], floor[2]);
                System.out.printf("Issuance throughput (issuer-service x1, exactly_once_v2, %d cores): median %.0f issuances/s "
                        + "(min %.0f, max %.0f over 3 rounds of %,d)%n", Runtime.getRuntime().availableProcessors(), rates[1],
                        rates[0], rates[2], perRound);
            }
            System.out.println("Reproduce: mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.IssuanceThroughput -Dexec.args=\"" + perRound
                    + ServiceSettings.describe(args, 1) + "\"");
        }
        System.exit(0);
    }

    /** Bytes on disk per topic (all partitions), from the broker's log directories. */
    private static Map<String, Long> topicBytes(LocalCluster cluster) throws Exception {
        try (Admin admin = Admin.create(cluster.kafkaClient())) {
            Map<String, Long> bytes = new TreeMap<>();
            admin.describeLogDirs(List.of(1)).allDescriptions().get().values().forEach(dirs -> dirs.values().forEach(dir ->
                    dir.replicaInfos().forEach((partition, info) -> bytes.merge(partition.topic(), info.size(), Long::sum))));
            return bytes;
        }
    }

    /** What one issuance costs the broker: bytes written per topic, over the measured rounds. */
    private static void printBytesPerIssuance(Map<String, Long> before, Map<String, Long> after, long issuances) {
        System.out.println("Bytes written to the broker per issuance:");
        long total = 0;
        for (var topic : after.entrySet()) {
            long written = topic.getValue() - before.getOrDefault(topic.getKey(), 0L);
            if (written > issuances / 10 && !topic.getKey().startsWith("bench.")) {
                System.out.printf("  %-60s %,8d%n", topic.getKey(), written / issuances);
                total += written;
            }
        }
        System.out.printf("  %-60s %,8d%n", "total", total / issuances);
    }

    /**
     * Sends n requests, waits for every answer, returns answers per second from the first send to the last answer;
     * keeps an issued result as a sample.
     */
    static double round(Map<String, Object> bootstrap, String requests, String answers, List<String> bots, String publicKey, int n,
            String name, AtomicReference<String> sample) throws Exception {
        Set<String> waiting = ConcurrentHashMap.newKeySet();
        AtomicLong refused = new AtomicLong();
        Properties c = new Properties();
        c.putAll(bootstrap);
        c.put("isolation.level", "read_committed");
        Properties p = new Properties();
        p.putAll(bootstrap);
        p.put("linger.ms", "5");
        p.put("acks", "all");
        try (KafkaConsumer<String, String> results = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
                KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            TopicReader.followFromNow(results, answers);
            List<String> ids = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ids.add(UUID.randomUUID().toString());
            }
            waiting.addAll(ids);
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                String bot = bots.get(i % bots.size());
                producer.send(DeliveryBots.issueRecord(requests, ids.get(i), bot, publicKey));
            }
            producer.flush();
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!waiting.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : results.poll(Duration.ofMillis(200))) {
                    if (waiting.remove(ResultIds.requestId(record.value()))) {
                        if (record.value().contains("\"refusal\":")) {
                            refused.incrementAndGet();
                        } else {
                            sample.compareAndSet(null, record.value());
                        }
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double rate = (n - waiting.size()) / seconds;
            System.out.printf("%s: %,d issued in %.1f s = %.0f/s (%d refused, %d unanswered)%n", name, n - waiting.size() - refused.get(),
                    seconds, rate, refused.get(), waiting.size());
            return rate;
        }
    }
}
