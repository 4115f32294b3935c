package dev.sigil.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.sigil.contract.EventJson;
import dev.sigil.deploy.AdminClient;
import dev.sigil.deploy.BotKeys;
import dev.sigil.deploy.LocalCluster;
import dev.sigil.deploy.Service;

/**
 * Where a join's CPU goes, per process: a local Sigil with all four services (rate limits lifted) takes HTTPS token
 * joins at a fixed rate below saturation while every process, the driver included, records a JFR profile
 * ({@link Profiles}); prints each process's CPU per join (from the operating system, {@link ProcessCpu}) and
 * {@link JfrSummary} of every recording. The .jfr files stay in {@code bench/results/profiles/<time>/} to open in
 * JDK Mission Control.
 *
 * <pre>mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.ProfileJoins -Dexec.args="150 20"</pre>
 */
public final class ProfileJoins {
    private static final int BOTS = 100;

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 150;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path dir = LocalCluster.sourceRoot().resolve("bench/results/profiles")
                .resolve(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHmm'Z'").format(ZonedDateTime.now(ZoneOffset.UTC)));
        // Further arguments NAME=value go to the services' environment, to profile a setting.
        try (LocalCluster cluster = ServiceSettings.apply(new LocalCluster(LocalCluster.sourceRoot(),
                Files.createTempDirectory("sigil-bench-profile"), "bench.sigil.test").withRateLimitsLifted(), args, 2).start()) {
            AdminClient admin = new AdminClient(cluster);
            admin.createRole("bench-role", List.of("deploy"));
            for (int i = 0; i < BOTS; i++) {
                admin.createBot("bench-" + i, List.of("bench-role"), List.of("deploy"));
            }
            String publicKey = BotKeys.newPublicKey();
            HttpClient http = cluster.httpClient(HttpClient.Version.HTTP_2);
            // The JIT needs thousands of joins through every service before a profile shows the steady state; a cold
            // Sigil at full rate answers 503 and its retries pile up, so the warm-up starts at half the rate.
            joins(cluster, http, publicKey, tokens(admin, 20 * Math.max(1, rate / 2)), Math.max(1, rate / 2), "warm-up 1");
            joins(cluster, http, publicKey, tokens(admin, 20 * rate), rate, "warm-up 2");
            // The same load once without recordings, for CPU per join without JFR's own cost.
            List<String> tokens = tokens(admin, seconds * rate); // made before the window: not part of a join
            ProcessCpu before = ProcessCpu.snapshot(cluster);
            joins(cluster, http, publicKey, tokens, rate, "measured");
            Map<String, Double> plain = ProcessCpu.snapshot(cluster).microsPerUnitSince(before, tokens.size());
            tokens = tokens(admin, seconds * rate);
            Profiles profiles = Profiles.start(cluster, dir);
            // Each jcmd is a JVM of its own: let their start-up pass before the load, so it does not queue joins.
            Thread.sleep(5_000);
            before = ProcessCpu.snapshot(cluster);
            joins(cluster, http, publicKey, tokens, rate, "profiled");
            Map<String, Double> profiled = ProcessCpu.snapshot(cluster).microsPerUnitSince(before, tokens.size());
            List<Path> files = profiles.stop();
            System.out.printf("%nCPU per join at %d joins/s, %d s each (microseconds, from each process's CPU time):%n", rate, seconds);
            System.out.printf("  %-22s %10s %14s%n", "process", "measured", "profiled (JFR)");
            plain.forEach((process, micros) -> System.out.printf("  %-22s %,10.0f %,14.0f%n", process, micros, profiled.get(process)));
            System.out.println();
            for (Path file : files) {
                System.out.print(JfrSummary.summarise(LocalCluster.sourceRoot().relativize(file)));
            }
            System.out.println("Reproduce: mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.ProfileJoins -Dexec.args=\"" + rate + " "
                    + seconds + ServiceSettings.describe(args, 2) + "\"; bench/jfr-summary " + LocalCluster.sourceRoot().relativize(dir) + "/*.jfr");
        }
        System.exit(0);
    }

    /** Sends one join per token at a constant rate (open loop) and prints the outcome and the latency percentiles. */
    private static void joins(LocalCluster cluster, HttpClient http, String publicKey, List<String> tokens, int rate, String name)
            throws Exception {
        int n = tokens.size();
        double[] latencies = new double[n];
        java.util.Arrays.fill(latencies, Double.NaN); // unanswered joins stay NaN: failures, not 0 ms
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(n);
        long start = System.nanoTime() + 100_000_000L;
        long interval = 1_000_000_000L / rate;
        for (int i = 0; i < n; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int index = i;
            String body = EventJson.write(Map.of("joinMethod", "token", "token", tokens.get(i), "publicKey", publicKey));
            http.sendAsync(HttpRequest.newBuilder(cluster.url(Service.JOIN).resolve("/v1/join")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, failure) -> {
                        latencies[index] = (System.nanoTime() - due) / 1e6;
                        statuses.merge(failure != null ? -1 : response.statusCode(), 1, Integer::sum);
                        done.countDown();
                    });
        }
        boolean all = done.await(2, TimeUnit.MINUTES);
        double[] answered = java.util.Arrays.stream(latencies).filter(l -> !Double.isNaN(l)).toArray();
        System.out.printf("%-10s %,d joins at %d/s: answered %s; statuses %s%s%n", name + ":", n, rate, Percentiles.of(answered),
                new TreeMap<>(statuses), all ? "" : "; " + done.getCount() + " never answered (failures)");
    }

    /** Single-use join tokens, one per join, made ahead of the load through the admin API. */
    private static List<String> tokens(AdminClient admin, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<String>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String bot = "bench-" + (i % BOTS);
            futures.add(pool.submit(() -> admin.createToken(bot, "30m")));
        }
        List<String> tokens = new ArrayList<>();
        for (Future<String> f : futures) {
            tokens.add(f.get());
        }
        pool.shutdown();
        return tokens;
    }
}
