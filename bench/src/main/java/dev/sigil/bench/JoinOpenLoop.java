package dev.sigil.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.Topics;
import dev.sigil.deploy.AdminClient;
import dev.sigil.deploy.BotKeys;
import dev.sigil.deploy.LocalCluster;
import dev.sigil.deploy.Service;

/**
 * Issue 15's join figures, all from one run on one local Sigil (broker, join-service, issuer-service,
 * renewal-service and output-writer, rate limits lifted), so the shared machine's noise meets every figure alike.
 * In each of R rounds, at each rate:
 * <ol>
 * <li>HTTP token joins, open loop wrk2-style (sent at a constant rate over one HTTP/2 connection whether or not
 * earlier ones were answered, each timed from when it was due). A join refused, failed, or not answered within the
 * timeout is a failure: it counts as slower than any answer, so a p99 it reaches prints as at least the timeout.
 * Beside the latencies: each process's CPU per join (from the OS, first send to last answer) and the bytes each
 * Kafka topic grew by per join, changelogs and Kafka's internal topics included.</li>
 * <li>The floor of HTTPS and JSON: joins with a token that does not exist, refused 401 by join-service without
 * Kafka (the bytes per request show that none reach it), at the same rate: CPU per request per process.</li>
 * <li>The issuer's Kafka-only round trip at the same rate ({@link IssuanceLatency.Driver}: delivery issue requests
 * signed as output-writer): latencies, CPU per issuance, and a join's p99 over an issuance's.</li>
 * <li>{@link KafkaEcho}, exactly-once committing every 20 ms, at the same rate: what Kafka alone costs per round
 * trip (the broker, and the echo and the driver in this JVM).</li>
 * </ol>
 * A rate whose joins fail (more than 1 %) ends its round: higher rates would only queue behind it; the output says
 * so. The summary gives, per rate, the median and min-max over the rounds, and the highest rate whose median join
 * p99 is at most 100 ms with no failures.
 *
 * <pre>mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.JoinOpenLoop -Dexec.args="100,300,1000 10 3"</pre>
 * Arguments: rates, seconds per run, rounds, timeout in seconds (5); then NAME=value settings for every service.
 */
public final class JoinOpenLoop {
    static final int BOTS = 100;
    private static final int DELIVERY_BOTS = 16;
    private static final double GOAL_P99_MS = 100;
    private static final Duration DRAIN = IssuanceLatency.Driver.DRAIN;

    public static void main(String[] args) throws Exception {
        int positional = (int) Arrays.stream(args).takeWhile(a -> !a.contains("=")).count();
        int[] rates = Arrays.stream((positional > 0 ? args[0] : "100,300,1000").split(",")).mapToInt(Integer::parseInt).toArray();
        int seconds = positional > 1 ? Integer.parseInt(args[1]) : 10;
        int rounds = positional > 2 ? Integer.parseInt(args[2]) : 3;
        Duration timeout = Duration.ofSeconds(positional > 3 ? Integer.parseInt(args[3]) : 5);
        String reproduce = "mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.JoinOpenLoop -Dexec.args=\""
                + String.join(",", Arrays.stream(rates).mapToObj(String::valueOf).toList()) + " " + seconds + " " + rounds + " "
                + timeout.toSeconds() + ServiceSettings.describe(args, positional) + "\"";
        System.out.println("# " + reproduce);
        // Further arguments NAME=value go to the services' environment, e.g. KAFKA_STREAMS_COMMIT_INTERVAL_MS=10.
        try (LocalCluster cluster = ServiceSettings.apply(new LocalCluster(LocalCluster.sourceRoot(),
                Files.createTempDirectory("sigil-bench-join"), "bench.sigil.test").withRateLimitsLifted(), args, positional).start()) {
            AdminClient admin = new AdminClient(cluster);
            List<String> deliveryBots = DeliveryBots.create(admin, DELIVERY_BOTS); // creates bench-role
            List<String> joinBots = new ArrayList<>();
            for (int i = 0; i < BOTS; i++) {
                admin.createBot("join-" + i, List.of("bench-role"), List.of("deploy"));
                joinBots.add("join-" + i);
            }
            String publicKey = BotKeys.newPublicKey();
            HttpClient http = cluster.httpClient(HttpClient.Version.HTTP_2);
            Map<String, Object> bootstrap = cluster.kafkaClient(); // as sigil-admin
            DeliveryBots.signAs(cluster.busIdentity("output-writer"));
            System.out.println("Processes measured: " + String.join(", ", cluster.processes().keySet()) + ", and " + ProcessCpu.DRIVER
                    + " (this JVM: the load, the Kafka echo)");
            Map<Integer, List<Round>> byRate = new LinkedHashMap<>();
            for (int rate : rates) {
                byRate.put(rate, new ArrayList<>());
            }
            try (KafkaEcho echo = KafkaEcho.exactlyOnce(bootstrap, KafkaEcho.ISSUER_COMMIT_INTERVAL);
                    IssuanceLatency.Driver issuer = new IssuanceLatency.Driver(bootstrap, Topics.ISSUE_REQUESTS, Topics.ISSUE_RESULTS,
                            "read_committed", deliveryBots, publicKey);
                    IssuanceLatency.Driver echoDriver = new IssuanceLatency.Driver(bootstrap, echo.requests, echo.answers,
                            echo.isolation(), deliveryBots, publicKey)) {
                // The JIT needs thousands of joins through every service; a gentle ramp keeps the first ones from 503s.
                System.out.println("== warm-up (not counted) ==");
                for (int rate : new int[] {50, 100, 150}) {
                    print(joins(cluster, http, admin, joinBots, publicKey, rate, 10, timeout, "warm-up joins " + rate + "/s", Cost.of(null)));
                }
                print(refusals(cluster, http, publicKey, 200, 5, timeout, "warm-up 401 floor 200/s", Cost.of(null)));
                print(issuer.measure(100, 10, timeout, "warm-up issuer 100/s", Cost.of(null)));
                print(issuer.measure(200, 5, timeout, "warm-up issuer 200/s", Cost.of(null)));
                print(echoDriver.measure(200, 5, timeout, "warm-up " + echo + " 200/s", Cost.of(null)));
                for (int round = 1; round <= rounds; round++) {
                    Idle idle = idle(cluster, seconds);
                    System.out.printf("== round %d, idle for %d s ==%n  CPU us per second: %s%n", round, seconds,
                            OpenLoopRun.compact(idle.cpuPerSecond(), "%.0f"));
                    printBytes("bytes on Kafka per second, idle", idle.bytesPerSecond());
                    String failedAt = null;
                    for (int rate : rates) {
                        if (failedAt != null) {
                            System.out.printf("round %d, %d/s: not run, the round ended at %s%n", round, rate, failedAt);
                            continue;
                        }
                        String name = "round " + round + ", " + rate + "/s ";
                        System.out.printf("== round %d, %d/s ==%n", round, rate);
                        OpenLoopRun join = print(joins(cluster, http, admin, joinBots, publicKey, rate, seconds, timeout, name + "HTTP join",
                                Cost.of(cluster)));
                        OpenLoopRun floor = print(refusals(cluster, http, publicKey, rate, seconds, timeout, name + "401 floor", Cost.of(cluster)));
                        OpenLoopRun issuance = print(issuer.measure(rate, seconds, timeout, name + "issuer", Cost.of(cluster)));
                        OpenLoopRun echoed = print(echoDriver.measure(rate, seconds, timeout, name + "echo", Cost.of(cluster)));
                        printBytes("bytes on Kafka per HTTP join, per topic", join.bytes());
                        printBytes("bytes on Kafka per 401 floor request, per topic (idle traffic, if any: none reaches Kafka)", floor.bytes());
                        byRate.get(rate).add(new Round(join, floor, issuance, echoed, idle));
                        if (join.failed()) {
                            failedAt = rate + "/s (" + join.failures() + " of " + join.sent() + " joins failed)";
                            System.out.printf("round %d: %d/s failed; the higher rates of this round are not run%n", round, rate);
                        }
                    }
                }
            }
            summary(byRate, rounds, timeout);
            System.out.println("Reproduce: " + reproduce);
        }
        System.exit(0);
    }

    /** One rate in one round: the HTTP joins, the HTTPS floor, the issuer on Kafka alone, and Kafka's echo. */
    record Round(OpenLoopRun join, OpenLoopRun floor, OpenLoopRun issuance, OpenLoopRun echo, Idle idle) {
        double ratio() {
            return join.percentiles().p99() / issuance.percentiles().p99();
        }

        /** What the processes spend with no load at all, spread over this rate's joins: part of every figure here. */
        double idlePerJoin(String process) {
            return idle.cpuPerSecond().getOrDefault(process, Double.NaN) / join.rate();
        }
    }

    /** The cluster with no load: CPU microseconds and bytes on Kafka per second, per process and per topic. */
    record Idle(Map<String, Double> cpuPerSecond, Map<String, Double> bytesPerSecond) {
    }

    private static Idle idle(LocalCluster cluster, int seconds) throws Exception {
        KafkaBytes bytes = KafkaBytes.snapshot(cluster);
        ProcessCpu cpu = ProcessCpu.snapshot(cluster);
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        ProcessCpu cpuAfter = ProcessCpu.snapshot(cluster);
        KafkaBytes bytesAfter = KafkaBytes.snapshot(cluster);
        double elapsed = (System.nanoTime() - start) / 1e9;
        Map<String, Double> cpuPerSecond = new LinkedHashMap<>();
        cpuAfter.microsPerUnitSince(cpu, 1).forEach((k, v) -> cpuPerSecond.put(k, v / elapsed));
        Map<String, Double> bytesPerSecond = new LinkedHashMap<>();
        bytesAfter.perUnitSince(bytes, 1).forEach((k, v) -> bytesPerSecond.put(k, v / elapsed));
        return new Idle(cpuPerSecond, bytesPerSecond);
    }

    private static OpenLoopRun print(OpenLoopRun run) {
        System.out.println(run.line());
        return run;
    }

    /** {@code rate * seconds} token joins, each with a fresh single-use token created before the load starts. */
    static OpenLoopRun joins(LocalCluster cluster, HttpClient http, AdminClient admin, List<String> bots, String publicKey, int rate,
            int seconds, Duration timeout, String name, Cost cost) throws Exception {
        int n = rate * seconds;
        long began = System.nanoTime();
        List<String> tokens = tokens(admin, bots, n);
        System.out.printf("  (%,d join tokens created in %.1f s)%n", n, (System.nanoTime() - began) / 1e9);
        List<String> bodies = tokens.stream()
                .map(token -> EventJson.write(Map.of("joinMethod", "token", "token", token, "publicKey", publicKey))).toList();
        return send(cluster, http, bodies, 200, rate, timeout, name, cost);
    }

    /** Joins with tokens that do not exist: join-service refuses them 401 TOKEN_NOT_FOUND itself, no Kafka involved. */
    static OpenLoopRun refusals(LocalCluster cluster, HttpClient http, String publicKey, int rate, int seconds, Duration timeout,
            String name, Cost cost) throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < rate * seconds; i++) {
            bodies.add(EventJson.write(Map.of("joinMethod", "token", "token", "no-such-token-" + i, "publicKey", publicKey)));
        }
        return send(cluster, http, bodies, 401, rate, timeout, name, cost);
    }

    /**
     * Posts each body to {@code /v1/join} at a constant rate; a request succeeds if answered {@code expected} within
     * the timeout of when it was due. CPU is measured from the first send to the last answer (or the deadline); then
     * unanswered ones get {@link #DRAIN} to finish, unmeasured, so they do not load the next run.
     */
    private static OpenLoopRun send(LocalCluster cluster, HttpClient http, List<String> bodies, int expected, int rate,
            Duration timeout, String name, Cost cost) throws Exception {
        int n = bodies.size();
        URI uri = cluster.url(Service.JOIN).resolve("/v1/join");
        double[] latencies = new double[n];
        Arrays.fill(latencies, Double.POSITIVE_INFINITY);
        Map<String, Integer> outcomes = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(n);
        long timeoutNanos = timeout.toNanos();
        long interval = 1_000_000_000L / rate;
        cost.sending();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int index = i;
            http.sendAsync(HttpRequest.newBuilder(uri).header("Content-Type", "application/json").timeout(timeout.plus(DRAIN))
                    .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i))).build(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, failure) -> {
                        long took = System.nanoTime() - due;
                        String outcome = failure != null ? failure.getClass().getSimpleName()
                                : took > timeoutNanos ? "late" : String.valueOf(response.statusCode());
                        if (failure == null && response.statusCode() == expected && took <= timeoutNanos) {
                            latencies[index] = took / 1e6;
                        }
                        outcomes.merge(outcome, 1, Integer::sum);
                        done.countDown();
                    });
        }
        long deadline = start + (n - 1) * interval + timeoutNanos;
        boolean all = done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        cost.answered();
        if (!all && !done.await(DRAIN.toNanos(), TimeUnit.NANOSECONDS)) {
            outcomes.put("unanswered", (int) done.getCount());
        }
        cost.settled();
        // Answers still arriving after the drain write only into their own slots, which stay failures.
        return OpenLoopRun.of(name, rate, timeout, latencies.clone(), Map.copyOf(outcomes), cost);
    }

    /** Single-use join tokens, one per join, created ahead of the load through the admin API. */
    private static List<String> tokens(AdminClient admin, List<String> bots, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String bot = bots.get(i % bots.size());
                futures.add(pool.submit(() -> admin.createToken(bot, "30m")));
            }
            List<String> tokens = new ArrayList<>();
            for (Future<String> f : futures) {
                tokens.add(f.get());
            }
            return tokens;
        } finally {
            pool.shutdown();
        }
    }

    private static void printBytes(String title, Map<String, Double> bytes) {
        System.out.println("  " + title + ":");
        bytes.entrySet().stream().filter(e -> !e.getKey().equals("total")).sorted(Map.Entry.comparingByValue(Comparator.reverseOrder()))
                .forEach(e -> System.out.printf("    %-70s %,10.0f%n", e.getKey(), e.getValue()));
        System.out.printf("    %-70s %,10.0f%n", "total", bytes.getOrDefault("total", Double.NaN));
    }

    private static void summary(Map<Integer, List<Round>> byRate, int rounds, Duration timeout) {
        System.out.println();
        System.out.printf("== Summary: median (min-max) over the rounds that ran each rate; a failure is a join refused, failed, or "
                + "not answered within %d s; p99 'failed' when failures exceed 1 %% ==%n", timeout.toSeconds());
        Integer goal2 = null;
        for (var entry : byRate.entrySet()) {
            int rate = entry.getKey();
            List<Round> runs = entry.getValue();
            System.out.println();
            if (runs.isEmpty()) {
                System.out.printf("-- %d/s: not run in any round (a lower rate failed in each) --%n", rate);
                continue;
            }
            System.out.printf("-- %d/s, %d of %d rounds --%n", rate, runs.size(), rounds);
            for (var kind : List.<Function<Round, OpenLoopRun>>of(Round::join, Round::floor, Round::issuance, Round::echo)) {
                String label = kind.apply(runs.get(0)).name().replaceFirst("^round \\d+, \\d+/s ", "");
                System.out.printf("  %-12s p50 %s, p99 %s, max %s ms; failures %s of %,d%n", label,
                        median(runs, r -> kind.apply(r).percentiles().p50(), "%.1f"),
                        median(runs, r -> kind.apply(r).percentiles().p99(), "%.1f"),
                        median(runs, r -> kind.apply(r).percentiles().max(), "%.1f"),
                        median(runs, r -> kind.apply(r).failures(), "%.0f"), kind.apply(runs.get(0)).sent());
            }
            System.out.printf("  goal 3, join p99 / issuance p99 at the same rate (goal <= 1.5): %s%n", median(runs, Round::ratio, "%.2f"));
            Set<String> processes = new LinkedHashSet<>(runs.get(0).join().cpu().keySet());
            System.out.printf("  goal 1, CPU microseconds per request, per process (each includes the process's idle CPU, shown "
                    + "spread over %d requests/s):%n    %-18s %-22s %-22s %-22s %-22s %-22s%n", rate, "process", "HTTP join",
                    "401 floor (no Kafka)", "issuance (Kafka only)", "Kafka echo (EOS 20ms)", "idle, per request");
            for (String process : processes) {
                System.out.printf("    %-18s %-22s %-22s %-22s %-22s %-22s%n", process.equals("total") ? "total (no driver)" : process,
                        median(runs, r -> r.join().cpu().getOrDefault(process, Double.NaN), "%.0f"),
                        median(runs, r -> r.floor().cpu().getOrDefault(process, Double.NaN), "%.0f"),
                        median(runs, r -> r.issuance().cpu().getOrDefault(process, Double.NaN), "%.0f"),
                        median(runs, r -> r.echo().cpu().getOrDefault(process, Double.NaN), "%.0f"),
                        median(runs, r -> r.idlePerJoin(process), "%.0f"));
            }
            System.out.printf("  goal 5, bytes on Kafka per request, all topics: HTTP join %s, 401 floor %s, issuance %s, echo %s%n",
                    median(runs, r -> r.join().bytes().getOrDefault("total", Double.NaN), "%.0f"), median(runs, r -> r.floor().bytes().getOrDefault("total", Double.NaN), "%.0f"),
                    median(runs, r -> r.issuance().bytes().getOrDefault("total", Double.NaN), "%.0f"), median(runs, r -> r.echo().bytes().getOrDefault("total", Double.NaN), "%.0f"));
            List<Round> byBytes = runs.stream().sorted(Comparator.comparingDouble(r -> r.join().bytes().getOrDefault("total", Double.NaN))).toList();
            printBytes("per topic, per HTTP join, the round with the median total", byBytes.get((byBytes.size() - 1) / 2).join().bytes());
            double p99 = middle(runs.stream().mapToDouble(r -> r.join().percentiles().p99()).toArray());
            double failures = middle(runs.stream().mapToDouble(r -> r.join().failures()).toArray());
            if (runs.size() == rounds && p99 <= GOAL_P99_MS && failures == 0) {
                goal2 = rate;
            }
        }
        System.out.println();
        System.out.printf("Goal 2, sustained HTTP joins/s with p99 <= %.0f ms and no failures (median over %d rounds; goal >= 1000/s): %s%n",
                GOAL_P99_MS, rounds, goal2 == null ? "none of the rates measured" : "highest rate measured that meets it: " + goal2 + "/s");
        System.out.println("Finished " + Instant.now());
    }

    private static String median(List<Round> runs, ToDoubleFunction<Round> figure, String format) {
        double[] values = runs.stream().mapToDouble(figure).sorted().toArray();
        return figure(middle(values), format) + " (" + figure(values[0], format) + "-" + figure(values[values.length - 1], format) + ")";
    }

    /** The median; of an even count, the mean of the middle two. */
    private static double middle(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return (sorted[(sorted.length - 1) / 2] + sorted[sorted.length / 2]) / 2;
    }

    private static String figure(double value, String format) {
        return Double.isInfinite(value) ? "failed" : Double.isNaN(value) ? "-" : String.format(format, value);
    }

    /** As before for benchmarks that compare settings by one rate's joins ({@link BusSecurityCost}): bots {@code bench-0..}. */
    record Result(String line, double[] latencies, boolean allAnswered) {
    }

    static String run(LocalCluster cluster, HttpClient http, AdminClient admin, String publicKey, int rate, int seconds,
            String name) throws Exception {
        return measure(cluster, http, admin, publicKey, rate, seconds, name).line();
    }

    static Result measure(LocalCluster cluster, HttpClient http, AdminClient admin, String publicKey, int rate, int seconds,
            String name) throws Exception {
        List<String> bots = new ArrayList<>();
        for (int i = 0; i < BOTS; i++) {
            bots.add("bench-" + i);
        }
        OpenLoopRun run = print(joins(cluster, http, admin, bots, publicKey, rate, seconds, IssuanceLatency.Driver.TIMEOUT, name,
                Cost.of(null)));
        return new Result(run.line(), run.latencies(), run.failures() == 0);
    }

    private JoinOpenLoop() {
    }
}
