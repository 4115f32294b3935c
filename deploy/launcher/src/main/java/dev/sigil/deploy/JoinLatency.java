package dev.sigil.deploy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.sigil.contract.EventJson;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures end-to-end join latency: {@code POST /v1/join} with a fresh one-time token and key, through the broker,
 * issuer-service (exactly-once) and back, one join at a time. Prints the distribution and how to reproduce it.
 */
@Command(name = "bench-join", description = "Measure the end-to-end latency of token joins on a local Sigil.")
final class JoinLatency implements Callable<Integer> {
    @CommandLine.Mixin
    Launcher.Where where = new Launcher.Where();

    @Option(names = "--joins", defaultValue = "100", description = "Joins to measure (default: ${DEFAULT-VALUE}).")
    int joins;

    @Option(names = "--warmup", defaultValue = "20", description = "Joins made first and not counted (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Override
    public Integer call() throws Exception {
        // One bot joins over and over here: lift the per-bot limit that would stop a real bot doing so.
        try (LocalCluster cluster = where.cluster().withServiceEnv("SIGIL_RATE_LIMIT_BOT_PER_SECOND", "1000000")
                .withServiceEnv("SIGIL_RATE_LIMIT_BOT_BURST", "1000000").start()) {
            AdminClient admin = new AdminClient(cluster);
            admin.createRole("bench", List.of("{{internal.logins}}"));
            admin.createBot("bench-bot", List.of("bench"), List.of("bench"));
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < warmup + joins; i++) {
                tokens.add(admin.createToken("bench-bot", "1h"));
            }
            HttpClient http = cluster.httpClient();
            URI join = cluster.url(Service.JOIN).resolve("/v1/join");
            List<Double> millis = new ArrayList<>();
            for (int i = 0; i < tokens.size(); i++) {
                String body = EventJson.write(Map.of("joinMethod", "token", "token", tokens.get(i), "publicKey", BotKeys.newPublicKey()));
                long start = System.nanoTime();
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(join)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                double elapsed = (System.nanoTime() - start) / 1e6;
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("join " + i + " failed: " + response.statusCode() + " " + response.body());
                }
                if (i >= warmup) {
                    millis.add(elapsed);
                }
            }
            Collections.sort(millis);
            System.out.printf("token joins, one at a time, end to end (HTTPS -> Kafka -> issuer, exactly-once -> Kafka -> HTTPS)%n");
            System.out.printf("joins=%d  min=%.1f ms  p50=%.1f ms  p90=%.1f ms  p99=%.1f ms  max=%.1f ms%n", millis.size(),
                    millis.get(0), pct(millis, 50), pct(millis, 90), pct(millis, 99), millis.get(millis.size() - 1));
            System.out.println("reproduce: ./sigil bench-join --joins " + joins + " --warmup " + warmup);
            return 0;
        }
    }

    private static double pct(List<Double> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
