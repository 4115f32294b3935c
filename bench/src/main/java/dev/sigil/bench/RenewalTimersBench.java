package dev.sigil.bench;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import org.awaitility.core.ConditionTimeoutException;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.IssuedIdentity;
import dev.sigil.contract.RenewalDue;
import dev.sigil.contract.Topics;
import dev.sigil.deploy.LocalCluster;
import dev.sigil.deploy.Service;

/**
 * Renewal timers at fleet scale: a broker and one renewal-service (heap capped, default 512 MB) are handed N issued
 * identities (default 1,000,000) on {@code sigil.issue.results}, whose renewal points fall minutes later; the
 * driver then reads {@code sigil.renewal.due} and measures how late each due event is against its renewal point,
 * while sampling the service's heap. Prints heap, lateness percentiles, duplicates and misses.
 *
 * <pre>mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.RenewalTimersBench -Dexec.args="1000000 512m 300"</pre>
 */
public final class RenewalTimersBench {
    private static final Pattern HEAP = Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\",id=\"[^\"]+\"} ([0-9.E]+)");

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        String heap = args.length > 1 ? args[1] : "512m";
        Duration lifetime = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 300);
        Path home = Files.createTempDirectory("sigil-bench-timers");
        System.out.printf("Renewal timers: %,d identities, renewal-service -Xmx%s, lifetime %s (renewal at half ±10%%)%n", n, heap, lifetime);
        try (LocalCluster cluster = new LocalCluster(LocalCluster.sourceRoot(), home, "bench.sigil.test")
                .withReplicas(Service.ISSUER, 0).withReplicas(Service.JOIN, 0).withReplicas(Service.OUTPUT_WRITER, 0)
                .withHeap(Service.RENEWAL, heap).start()) {
            new RenewalTimersBench(cluster, n, heap, lifetime).run();
        }
        System.exit(0); // the reader threads block in poll; the cluster is stopped
    }

    private final LocalCluster cluster;
    private final int n;
    private final String heap;
    private final Duration lifetime;
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicLong maxHeap = new AtomicLong();

    private RenewalTimersBench(LocalCluster cluster, int n, String heap, Duration lifetime) {
        this.cluster = cluster;
        this.n = n;
        this.heap = heap;
        this.lifetime = lifetime;
    }

    private void run() throws Exception {
        long[] lateness = new long[n];
        AtomicInteger received = new AtomicInteger();
        AtomicInteger duplicates = new AtomicInteger();
        Thread reader = new Thread(() -> readDue(lateness, received, duplicates), "due-reader");
        reader.setDaemon(true);
        reader.start();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "heap-sampler");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(this::sampleHeap, 0, 1, TimeUnit.SECONDS);

        Instant start = Instant.now();
        produce();
        Duration produced = Duration.between(start, Instant.now());
        System.out.printf("Produced %,d issue results in %.1f s (%,.0f/s)%n", n, produced.toMillis() / 1000.0,
                n * 1000.0 / produced.toMillis());
        long tracked = await().forever().pollInterval(Duration.ofSeconds(2)).until(this::tracked, t -> t >= n);
        Duration ingest = Duration.between(start, Instant.now());
        System.out.printf("renewal-service tracked all %,d after %.1f s; heap used now %s, after a full GC %s, RSS %s%n",
                tracked, ingest.toMillis() / 1000.0, mb(heapUsed()), mb(liveHeap()), mb(rss()));
        Instant deadline = start.plus(lifetime.multipliedBy(7).dividedBy(10)).plusSeconds(120);
        try {
            await().atMost(Duration.between(Instant.now(), deadline)).pollInterval(Duration.ofSeconds(1)).until(() -> received.get() >= n);
        } catch (ConditionTimeoutException e) {
            // reported below as missing
        }
        int got = received.get();
        double[] late = Arrays.stream(lateness, 0, got).asDoubleStream().toArray();
        long lateOverOneSecond = Arrays.stream(late).filter(l -> l > 1000).count();
        System.out.printf("Due events: %,d of %,d received, %d duplicates, %,d missing%n", got, n, duplicates.get(), n - got);
        System.out.printf("Lateness against the renewal point (ms): %s; %,d later than 1 s%n", Percentiles.of(late), lateOverOneSecond);
        System.out.printf("Heap of renewal-service: max used %s (limit -Xmx), RSS %s%n", mb(maxHeap.get()), mb(rss()));
        System.out.println("Reproduce: mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.RenewalTimersBench -Dexec.args=\""
                + n + " " + heap + " " + lifetime.toSeconds() + "\"");
    }

    /** N identities of 100,000 bots, issued now, renewal points half a lifetime later. */
    private void produce() throws Exception {
        Properties p = new Properties();
        p.putAll(cluster.kafkaClient());
        p.put("linger.ms", "20");
        p.put("batch.size", String.valueOf(256 * 1024));
        p.put("compression.type", "lz4");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < n; i++) {
                Instant now = Instant.now();
                String bot = "bench-" + (i % 100_000);
                IssuedIdentity id = new IssuedIdentity("i-" + i, 1, null, null, String.valueOf(i), List.of("bench"), List.of("bench"),
                        now, now.plus(lifetime), null);
                producer.send(new ProducerRecord<>(Topics.ISSUE_RESULTS, null, now.toEpochMilli(), bot,
                        EventJson.write(new IssueResult("r-" + i, bot, id, null, null, null))));
            }
        }
    }

    private void readDue(long[] lateness, AtomicInteger received, AtomicInteger duplicates) {
        Properties p = new Properties();
        p.putAll(cluster.kafkaClient());
        p.put("isolation.level", "read_committed");
        BitSet seen = new BitSet(n);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.RENEWAL_DUE).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (true) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    RenewalDue due = EventJson.read(record.value(), RenewalDue.class);
                    int i = Integer.parseInt(due.instanceId().substring(2));
                    if (seen.get(i)) {
                        duplicates.incrementAndGet();
                        continue;
                    }
                    seen.set(i);
                    lateness[received.getAndIncrement()] = now - due.renewAt().toEpochMilli();
                }
            }
        }
    }

    private long tracked() throws Exception {
        var body = get("/v1/fleet?fresh=true");
        var identities = EventJson.MAPPER.readTree(body).path("identities");
        return identities.path("fresh").asLong() + identities.path("due").asLong();
    }

    private void sampleHeap() {
        try {
            maxHeap.accumulateAndGet(heapUsed(), Math::max);
        } catch (Exception e) {
            // the service is stopping; the maximum so far stands
        }
    }

    private long heapUsed() throws Exception {
        Matcher m = HEAP.matcher(get("/q/metrics"));
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return (long) sum;
    }

    /** The heap still in use after a full collection (jcmd GC.run): what the tracked identities really hold. */
    private long liveHeap() throws Exception {
        long pid = cluster.process(new LocalCluster.Replica(Service.RENEWAL, 0)).pid();
        new ProcessBuilder("jcmd", String.valueOf(pid), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        return heapUsed();
    }

    private long rss() {
        try {
            return (long) (StartupMemory.rss(cluster.process(new LocalCluster.Replica(Service.RENEWAL, 0)).pid()) * 1024 * 1024);
        } catch (Exception e) {
            return -1;
        }
    }

    private String get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(cluster.url(Service.RENEWAL) + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static String mb(long bytes) {
        return String.format("%.0f MB", bytes / 1024.0 / 1024.0);
    }
}
