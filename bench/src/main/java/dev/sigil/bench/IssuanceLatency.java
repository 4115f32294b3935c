package dev.sigil.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;

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
 * The Kafka part of a join's latency: issue requests put straight on {@code sigil.issue.requests} at a constant rate
 * (one driver thread sends and polls, like a join-service replica), each timed until its result is readable
 * read_committed on {@code sigil.issue.results}; one refused, or not answered within 5 s of when it was due, is a
 * failure and counts in the percentiles as slower than any answer. Beside {@link JoinOpenLoop} it splits a join's latency into what
 * the issuer's exactly-once transactions cost and what HTTPS and join-service add. At each rate it first measures
 * {@link KafkaEcho} with the same driver — plain, and exactly-once committing every 20 ms (as the issuer) and every
 * 5 ms: the floor this machine's Kafka sets.
 *
 * <pre>mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.IssuanceLatency -Dexec.args="200,500,1000 10"</pre>
 */
public final class IssuanceLatency {
    private static final int BOTS = 16;

    public static void main(String[] args) throws Exception {
        int[] rates = Arrays.stream((args.length > 0 ? args[0] : "200,500,1000").split(",")).mapToInt(Integer::parseInt).toArray();
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        // Further arguments NAME=value go to the services' environment, e.g. KAFKA_STREAMS_COMMIT_INTERVAL_MS=10.
        try (LocalCluster cluster = ServiceSettings.apply(new LocalCluster(LocalCluster.sourceRoot(),
                Files.createTempDirectory("sigil-bench-latency"), "bench.sigil.test").withReplicas(Service.RENEWAL, 0)
                .withReplicas(Service.OUTPUT_WRITER, 0), args, 2).start()) {
            List<String> bots = DeliveryBots.create(new AdminClient(cluster), BOTS);
            String publicKey = BotKeys.newPublicKey();
            StringBuilder summary = new StringBuilder();
            Map<String, Object> bootstrap = cluster.kafkaClient(); // as sigil-admin
            DeliveryBots.signAs(cluster.busIdentity("output-writer"));
            List<KafkaEcho> echoes = List.of(KafkaEcho.plain(bootstrap), KafkaEcho.exactlyOnce(bootstrap, KafkaEcho.ISSUER_COMMIT_INTERVAL),
                    KafkaEcho.exactlyOnce(bootstrap, Duration.ofMillis(5)));
            Map<KafkaEcho, Driver> floors = new LinkedHashMap<>();
            echoes.forEach(echo -> floors.put(echo, new Driver(bootstrap, echo.requests, echo.answers, echo.isolation(), bots, publicKey)));
            try (Driver issuer = new Driver(bootstrap, Topics.ISSUE_REQUESTS, Topics.ISSUE_RESULTS, "read_committed", bots, publicKey)) {
                issuer.run(100, 10, "warm-up 1");
                issuer.run(200, 10, "warm-up 2");
                for (var floor : floors.entrySet()) {
                    floor.getValue().run(200, 3, "warm-up " + floor.getKey());
                }
                // The floors and the issuer one after the other at each rate, so all meet the same machine.
                for (int rate : rates) {
                    for (var floor : floors.entrySet()) {
                        summary.append(floor.getValue().run(rate, seconds, rate + "/s " + floor.getKey())).append('\n');
                    }
                    summary.append(issuer.run(rate, seconds, rate + "/s issuer")).append('\n');
                }
            } finally {
                for (var floor : floors.entrySet()) {
                    floor.getValue().close();
                    floor.getKey().close();
                }
            }
            System.out.println();
            System.out.println("== Issuance latency through Kafka alone, open loop, " + seconds + " s per rate (ms from when each request was due) ==");
            System.out.print(summary);
            System.out.println("Reproduce: mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.IssuanceLatency -Dexec.args=\""
                    + String.join(",", Arrays.stream(rates).mapToObj(String::valueOf).toList()) + " " + seconds
                    + ServiceSettings.describe(args, 2) + "\"");
        }
        System.exit(0);
    }

    /**
     * One producer and one consumer on one thread, as a join-service replica has; usable against any started
     * cluster ({@link JoinOpenLoop} runs it beside HTTP joins at the same rate).
     */
    static final class Driver implements AutoCloseable {
        /** How long a request may wait for its answer before it counts as a failure. */
        static final Duration TIMEOUT = Duration.ofSeconds(5);
        /** How long after the deadline unanswered requests may still finish, unmeasured, before the next run. */
        static final Duration DRAIN = Duration.ofSeconds(60);
        private final KafkaProducer<String, String> producer;
        private final KafkaConsumer<String, String> results;
        private final String requests;
        private final List<String> bots;
        private final String publicKey;

        Driver(Map<String, Object> bootstrapServers, String requests, String answers, String isolation, List<String> bots, String publicKey) {
            this.requests = requests;
            this.bots = bots;
            this.publicKey = publicKey;
            Properties p = new Properties();
            p.putAll(bootstrapServers);
            p.put("linger.ms", "0"); // as join-service sends
            producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
            Properties c = new Properties();
            c.putAll(bootstrapServers);
            c.put("isolation.level", isolation);
            results = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
            TopicReader.followFromNow(results, answers);
        }

        String run(int rate, int seconds, String name) throws Exception {
            OpenLoopRun run = measure(rate, seconds, TIMEOUT, name, Cost.of(null));
            System.out.println(run.line());
            return run.line();
        }

        /**
         * {@code rate * seconds} requests at a constant rate; one not answered within {@code timeout} of when it was
         * due, or refused, is a failure. CPU is measured from the first send to the last answer (or the deadline);
         * then unanswered requests get {@link #DRAIN} to finish, so they do not load the next run.
         */
        OpenLoopRun measure(int rate, int seconds, Duration timeout, String name, Cost cost) throws Exception {
            int n = rate * seconds;
            double[] latencies = new double[n];
            Arrays.fill(latencies, Double.POSITIVE_INFINITY);
            Map<String, Integer> outcomes = new TreeMap<>();
            Map<String, Integer> pending = new HashMap<>();
            long[] due = new long[n];
            cost.sending();
            long start = System.nanoTime();
            long interval = 1_000_000_000L / rate;
            long deadline = start + (n - 1) * interval + timeout.toNanos();
            int sent = 0;
            while (!(sent == n && pending.isEmpty()) && System.nanoTime() < deadline) {
                while (sent < n && System.nanoTime() >= start + sent * interval) {
                    String id = UUID.randomUUID().toString();
                    String bot = bots.get(sent % bots.size());
                    pending.put(id, sent);
                    due[sent] = start + sent * interval;
                    producer.send(DeliveryBots.issueRecord(requests, id, bot, publicKey));
                    sent++;
                }
                receive(latencies, outcomes, pending, due, timeout);
            }
            cost.answered();
            long drained = System.nanoTime() + DRAIN.toNanos();
            while (!pending.isEmpty() && System.nanoTime() < drained) {
                receive(latencies, outcomes, pending, due, timeout);
            }
            if (!pending.isEmpty()) {
                outcomes.put("unanswered", pending.size());
            }
            cost.settled();
            return OpenLoopRun.of(name, rate, timeout, latencies, outcomes, cost);
        }

        private void receive(double[] latencies, Map<String, Integer> outcomes, Map<String, Integer> pending, long[] due,
                Duration timeout) throws IOException {
            for (ConsumerRecord<String, String> record : results.poll(Duration.ofMillis(1))) {
                Integer index = pending.remove(ResultIds.requestId(record.value()));
                if (index != null) {
                    double ms = (System.nanoTime() - due[index]) / 1e6;
                    String outcome = ms > timeout.toMillis() ? "late" : record.value().contains("\"refusal\":") ? "refused" : "answered";
                    outcomes.merge(outcome, 1, Integer::sum);
                    if (outcome.equals("answered")) {
                        latencies[index] = ms;
                    }
                }
            }
        }

        @Override
        public void close() {
            producer.close();
            results.close();
        }
    }
}
