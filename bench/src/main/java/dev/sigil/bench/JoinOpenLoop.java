package dev.sigil.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
 * Benchmark 3: HTTP join latency under an open-loop load, wrk2-style: joins are sent at a constant rate whether or
 * not earlier ones have been answered, and each latency counts from when its request was due to be sent, so a
 * stalled server shows up as latency instead of silently slowing the load. Token joins over HTTPS through
 * join-service, Kafka and issuer-service (exactly-once), all on this machine; per-client and per-bot rate limits
 * are lifted for the load. Beside the client's mean it prints join-service's own mean time per join, from its
 * metrics: the rest is TLS, HTTP/2 and the client.
 *
 * <pre>mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.JoinOpenLoop -Dexec.args="200,500,1000 10"</pre>
 */
public final class JoinOpenLoop {
    static final int BOTS = 100;

    public static void main(String[] args) throws Exception {
        int[] rates = java.util.Arrays.stream((args.length > 0 ? args[0] : "200,500,1000").split(",")).mapToInt(Integer::parseInt).toArray();
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        // Further arguments NAME=value go to the services' environment, e.g. KAFKA_STREAMS_COMMIT_INTERVAL_MS=10.
        try (LocalCluster cluster = ServiceSettings.apply(new LocalCluster(LocalCluster.sourceRoot(),
                Files.createTempDirectory("sigil-bench-join"), "bench.sigil.test").withReplicas(Service.OUTPUT_WRITER, 0)
                .withRateLimitsLifted(), args, 2).start()) {
            AdminClient admin = new AdminClient(cluster);
            admin.createRole("bench-role", List.of("deploy"));
            for (int i = 0; i < BOTS; i++) {
                admin.createBot("bench-" + i, List.of("bench-role"), List.of("deploy"));
            }
            String publicKey = BotKeys.newPublicKey();
            HttpClient http = cluster.httpClient(HttpClient.Version.HTTP_2);
            StringBuilder summary = new StringBuilder();
            // The JIT needs thousands of joins through every service before latency settles.
            run(cluster, http, admin, publicKey, 100, 10, "warm-up 1");
            run(cluster, http, admin, publicKey, 200, 10, "warm-up 2");
            for (int rate : rates) {
                summary.append(run(cluster, http, admin, publicKey, rate, seconds, rate + " joins/s")).append('\n');
            }
            System.out.println();
            System.out.println("== HTTP join latency, open loop, " + seconds + " s per rate (ms from when each join was due) ==");
            System.out.print(summary);
            System.out.println("Reproduce: mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.JoinOpenLoop -Dexec.args=\""
                    + String.join(",", java.util.Arrays.stream(rates).mapToObj(String::valueOf).toList()) + " " + seconds
                    + ServiceSettings.describe(args, 2) + "\"");
        }
        System.exit(0);
    }

    /** One rate's joins: the printed line and the latencies behind it (unanswered joins make the line say so). */
    record Result(String line, double[] latencies, boolean allAnswered) {
    }

    static String run(LocalCluster cluster, HttpClient http, AdminClient admin, String publicKey, int rate, int seconds,
            String name) throws Exception {
        return measure(cluster, http, admin, publicKey, rate, seconds, name).line();
    }

    static Result measure(LocalCluster cluster, HttpClient http, AdminClient admin, String publicKey, int rate, int seconds,
            String name) throws Exception {
        int n = rate * seconds;
        List<String> tokens = tokens(admin, n);
        double[] serverBefore = serverTimes(cluster);
        double[] latencies = new double[n];
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
        double[] serverAfter = serverTimes(cluster);
        double serverMean = (serverAfter[1] - serverBefore[1]) * 1000 / (serverAfter[0] - serverBefore[0]);
        String line = String.format("%-14s %s; mean %.1f, of it in join-service %.1f; statuses %s%s", name + ":", Percentiles.of(latencies),
                java.util.Arrays.stream(latencies).average().orElse(Double.NaN), serverMean, new TreeMap<>(statuses),
                all ? "" : " (some never answered)");
        System.out.println(line);
        return new Result(line, latencies, all);
    }

    /**
     * join-service's own count and seconds of answered joins (Micrometer's {@code http_server_requests_seconds} for
     * {@code /v1/join}, every status), to split a join's time between the server and the way to and from it.
     */
    private static double[] serverTimes(LocalCluster cluster) throws Exception {
        HttpResponse<String> metrics = cluster.httpClient().send(HttpRequest.newBuilder(
                cluster.management(new LocalCluster.Replica(Service.JOIN, 0)).resolve("/q/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        double[] countAndSum = new double[2];
        List<String> series = List.of("http_server_requests_seconds_count", "http_server_requests_seconds_sum");
        for (String line : metrics.body().split("\n")) {
            for (int i = 0; i < series.size(); i++) {
                if (line.startsWith(series.get(i) + "{") && line.contains("uri=\"/v1/join\"")) {
                    countAndSum[i] += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        return countAndSum;
    }

    /** Single-use join tokens, one per join, created ahead of the load through the admin API. */
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
