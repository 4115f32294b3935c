package dev.sigil.deploy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sigil.contract.EventJson;
import dev.sigil.join.joinmethod.FakePlatform;

/**
 * A load driver, not a test: joins per second through a local Sigil (HTTPS, Kafka, issuer with exactly-once),
 * for the {@code github} method with a warm JWKS cache and, as the baseline in the same run, for one-time
 * {@code token} joins. Closed loop with a fixed number of concurrent clients; every join must succeed.
 * Run (after {@code mvn install -DskipTests}): {@code mvn -q -pl deploy/launcher exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.sigil.deploy.JoinThroughput -Dexec.args="2000 16" -Dsigil.root=$PWD}
 */
public final class JoinThroughput {

    public static void main(String[] args) throws Exception {
        int joins = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        try (FakePlatform github = new FakePlatform();
                LocalCluster cluster = new LocalCluster(LocalCluster.sourceRoot(), Files.createTempDirectory("sigil-bench"), "bench.sigil")
                        .withServiceEnv("SIGIL_RATE_LIMIT_BOT_PER_SECOND", "1000000").withServiceEnv("SIGIL_RATE_LIMIT_BOT_BURST", "1000000")
                        .withServiceEnv("SIGIL_RATE_LIMIT_CLIENT_PER_SECOND", "1000000").withServiceEnv("SIGIL_RATE_LIMIT_CLIENT_BURST", "1000000")
                        .start()) {
            AdminClient admin = new AdminClient(cluster);
            admin.createRole("bench", List.of("{{internal.logins}}"));
            admin.createBot("bench-bot", List.of("bench"), List.of("bench"));
            admin.post("/v1/admin/tokens", Map.of("name", "gh-bench", "bot", "bench-bot", "joinMethod", "github",
                    "allow", List.of(Map.of("repository", "acme/app")), "config", Map.of("issuer", github.url(), "audience", "bench")));

            List<String> githubBodies = new ArrayList<>();
            List<String> tokenBodies = new ArrayList<>();
            for (int i = 0; i < joins + 200; i++) {
                String idToken = github.sign(FakePlatform.claims(github.url(), "bench", Map.of("repository", "acme/app")).build());
                githubBodies.add(EventJson.write(Map.of("joinMethod", "github", "token", "gh-bench", "idToken", idToken, "publicKey", Bots.newPublicKey())));
                tokenBodies.add(EventJson.write(Map.of("joinMethod", "token", "token", admin.createToken("bench-bot", "1h"), "publicKey", Bots.newPublicKey())));
            }
            HttpClient http = cluster.httpClient();
            URI join = cluster.url(Service.JOIN).resolve("/v1/join");
            run(http, join, githubBodies.subList(0, 200), clients); // warm-up: JWKS fetched, JIT warm
            run(http, join, tokenBodies.subList(0, 200), clients);
            double github1 = run(http, join, githubBodies.subList(200, githubBodies.size()), clients);
            double token1 = run(http, join, tokenBodies.subList(200, tokenBodies.size()), clients);
            System.out.printf("joins/s with %d concurrent clients, %d joins each: github (warm JWKS) %.0f, token (baseline) %.0f%n",
                    clients, joins, github1, token1);
            System.out.printf("jwks fetches during the run: %d%n", github.jwksFetches.get());
        }
    }

    private static double run(HttpClient http, URI join, List<String> bodies, int clients) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            done.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < bodies.size(); i = next.getAndIncrement()) {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(join).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i))).build(), HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("join failed: " + response.statusCode() + " " + response.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        return bodies.size() / ((System.nanoTime() - start) / 1e9);
    }
}
