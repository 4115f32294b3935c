package dev.sigil.bench;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
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

import dev.sigil.contract.RequestSignatures;
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
 * request with a real issue result, exactly-once: what Kafka alone allows on this machine. Around each measured issuer
 * round it reads every process's CPU time ({@link ProcessCpu}) and, right after it, measures in this JVM the thread CPU
 * time of signing what one issuance contains (one SSH and one X.509 certificate, {@link SigningBenchmark}): the
 * ratio of issuer-service's CPU per issuance to that signing CPU is what the issuer spends beyond the signatures.
 * Beside it, the thread CPU of verifying one issue request's signature (bus security: the issuer checks the sender's
 * signature on every request), the other piece of public-key work each issuance carries.
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
                SigningCpu signing = SigningCpu.warmedUp(bots.get(0), publicKey);
                Map<String, Long> before = topicBytes(cluster);
                double[] rates = new double[3];
                double[] floor = new double[3];
                double[] issuerCpu = new double[3];
                double[] signingCpu = new double[3];
                double[] ratios = new double[3];
                double[] verifyCpu = new double[3];
                double[] withVerify = new double[3];
                for (int r = 0; r < rates.length; r++) {
                    floor[r] = round(bootstrap, echo.requests, echo.answers, bots, publicKey, echoRound, "round " + (r + 1) + " Kafka echo", sample);
                    ProcessCpu cpuBefore = ProcessCpu.snapshot(cluster);
                    rates[r] = round(bootstrap, Topics.ISSUE_REQUESTS, Topics.ISSUE_RESULTS, bots, publicKey, perRound,
                            "round " + (r + 1) + " issuer", sample);
                    Map<String, Double> cpu = ProcessCpu.snapshot(cluster).microsPerUnitSince(cpuBefore, perRound);
                    issuerCpu[r] = cpu.get("issuer-service");
                    signingCpu[r] = signing.microsPerIdentity();
                    verifyCpu[r] = signing.microsPerVerification();
                    ratios[r] = issuerCpu[r] / signingCpu[r];
                    withVerify[r] = issuerCpu[r] / (signingCpu[r] + verifyCpu[r]);
                    StringBuilder perProcess = new StringBuilder();
                    cpu.forEach((process, micros) -> perProcess.append(String.format("%s %.0f, ", process, micros)));
                    System.out.printf("  CPU per issuance (us): %ssigning one identity in this JVM %.0f, verifying one request's "
                            + "signature %.0f (medians of 3); issuer / signing %.2f, issuer / (signing + verifying) %.2f%n", perProcess,
                            signingCpu[r], verifyCpu[r], ratios[r], withVerify[r]);
                }
                printBytesPerIssuance(before, topicBytes(cluster), 3L * perRound);
                System.out.printf("%nIssuer CPU per issuance: median %.0f us (min %.0f, max %.0f); signing one identity (SSH + X.509, "
                        + "thread CPU, same run): median %.0f us (min %.0f, max %.0f)%n", median(issuerCpu), min(issuerCpu), max(issuerCpu),
                        median(signingCpu), min(signingCpu), max(signingCpu));
                System.out.printf("Issuer CPU per issuance / signing CPU per issuance: median %.2f (min %.2f, max %.2f over 3 rounds)%n",
                        median(ratios), min(ratios), max(ratios));
                System.out.printf("Verifying one issue request's signature (thread CPU, same run): median %.0f us (min %.0f, max %.0f); "
                        + "issuer CPU / (signing + verifying): median %.2f (min %.2f, max %.2f)%n", median(verifyCpu), min(verifyCpu),
                        max(verifyCpu), median(withVerify), min(withVerify), max(withVerify));
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

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }

    /**
     * The CPU of signing one issued identity (what {@link SigningBenchmark} signs: an SSH and an X.509 certificate with
     * the default suite's BouncyCastle CAs), as this thread's CPU time, so a busy machine does not inflate it.
     */
    private static final class SigningCpu {
        private static final int CALLS = 2_000;
        private final SigningBenchmark signing = new SigningBenchmark();
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private PublicKey sender;
        private String request;
        private byte[] signature;

        /** Signing as issuer-service does, and verifying a request as the driver signs them (see {@link DeliveryBots#signAs}). */
        static SigningCpu warmedUp(String bot, String publicKey) throws Exception {
            SigningCpu cpu = new SigningCpu();
            cpu.signing.suite = "default";
            cpu.signing.setUp();
            // A request signed as the driver signs them; the key it verifies with is the certificate in its headers.
            ProducerRecord<String, String> record = DeliveryBots.issueRecord("bench", UUID.randomUUID().toString(), bot, publicKey);
            cpu.sender = CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(Base64.getDecoder()
                    .decode(record.headers().lastHeader(RequestSignatures.CERTIFICATE_HEADER).value()))).getPublicKey();
            cpu.request = record.value();
            cpu.signature = Base64.getDecoder().decode(record.headers().lastHeader(RequestSignatures.SIGNATURE_HEADER).value());
            for (int i = 0; i < 10 * CALLS; i++) { // the JIT compiles BouncyCastle's field arithmetic
                cpu.signing.sshAndX509Pair();
                cpu.verify();
            }
            return cpu;
        }

        private void verify() {
            if (!RequestSignatures.verify(sender, request, signature)) {
                throw new IllegalStateException("the driver's own request signature does not verify");
            }
        }

        /** Median over 3 repetitions of {@value #CALLS} verifications, in microseconds of thread CPU per request. */
        double microsPerVerification() {
            double[] reps = new double[3];
            for (int r = 0; r < reps.length; r++) {
                long start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < CALLS; i++) {
                    verify();
                }
                reps[r] = (threads.getCurrentThreadCpuTime() - start) / 1000.0 / CALLS;
            }
            return median(reps);
        }

        /** Median over 3 repetitions of {@value #CALLS} signings, in microseconds of thread CPU per identity. */
        double microsPerIdentity() {
            double[] reps = new double[3];
            for (int r = 0; r < reps.length; r++) {
                long start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < CALLS; i++) {
                    signing.sshAndX509Pair();
                }
                reps[r] = (threads.getCurrentThreadCpuTime() - start) / 1000.0 / CALLS;
            }
            return median(reps);
        }
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
