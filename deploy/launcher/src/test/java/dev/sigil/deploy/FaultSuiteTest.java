package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.TopicReader;
import dev.sigil.contract.Topics;

/**
 * The fault suite, on a Sigil of its own: under a steady join load each service in turn is killed with -9 and
 * restarted, then the broker is restarted. Every join must end issued, having met only retryable answers on the way
 * (503 with Retry-After, or a refused connection while join-service itself is down); every issue request must be
 * answered with one set of certificates however often it was retried; and the deliveries output-writer keeps must
 * never be left expired. The counts are printed.
 */
class FaultSuiteTest {
    private static final int CLIENTS = 4;
    private static final int MAX_ATTEMPTS = 60;
    private static LocalCluster cluster;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LocalCluster(LocalCluster.sourceRoot(), Files.createTempDirectory("sigil-faults"), "faults.sigil.test")
                .withRateLimitsLifted().start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    /** What the load saw. */
    static final class Counts {
        final AtomicInteger joins = new AtomicInteger();
        final AtomicInteger issued = new AtomicInteger();
        final AtomicInteger retryable503 = new AtomicInteger();
        final AtomicInteger unavailableWithoutRetryAfter = new AtomicInteger();
        final AtomicInteger connectionFailures = new AtomicInteger();
        final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> gaveUp = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> requestIds = new ConcurrentLinkedQueue<>();
        /** What is being done to Sigil right now, to say when an unexpected answer came. */
        volatile String phase = "steady";
    }

    @Test
    void killingEachServiceAndRestartingTheBrokerLosesNoJoinIssuesNothingTwiceAndLetsNothingExpire() throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        AdminClient admin = Bots.admin(cluster);
        List<Path> deliveries = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path out = dir.resolve("delivery-" + i);
            admin.createDelivery(bot + "-d" + i, bot, "identity", out.toString(), "40s");
            deliveries.add(out);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> deliveries.stream().allMatch(d -> Files.exists(d.resolve("tlscert"))));

        Counts counts = new Counts();
        AtomicBoolean loading = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int c = 0; c < CLIENTS; c++) {
            clients.execute(() -> {
                while (loading.get()) {
                    joinUntilIssued(bot, counts);
                }
            });
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> counts.issued.get() >= 20);

        for (Service service : List.of(Service.ISSUER, Service.RENEWAL, Service.OUTPUT_WRITER, Service.JOIN)) {
            int before = counts.joins.get();
            counts.phase = "killed " + service;
            cluster.kill(service);
            cluster.restart(service);
            int mark = counts.issued.get();
            await().atMost(Duration.ofSeconds(90)).until(() -> counts.issued.get() >= mark + 10);
            System.out.printf("fault suite: killed and restarted %s; %d joins started meanwhile%n", service, counts.joins.get() - before);
        }
        counts.phase = "broker restart";
        cluster.restartBroker();
        int mark = counts.issued.get();
        await().atMost(Duration.ofSeconds(120)).until(() -> counts.issued.get() >= mark + 10);

        loading.set(false);
        clients.shutdown();
        assertThat(clients.awaitTermination(3, TimeUnit.MINUTES)).isTrue();

        Map<String, Set<String>> serials = serialsByRequest(Set.copyOf(counts.requestIds));
        long answeredOnce = serials.values().stream().filter(s -> s.size() == 1).count();
        // Deliveries are renewed every ~20 s and last 40 s: after the faults none has been left expired.
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            for (Path d : deliveries) {
                assertThat(Bots.notAfter(d.resolve("tlscert"))).as(d.toString()).isAfter(Instant.now());
            }
        });

        System.out.printf("fault suite: %d joins, %d issued, %d answered 503 with Retry-After on the way, %d refused "
                + "connections (join-service down), %d 503 without Retry-After, %d unexpected answers, %d gave up; "
                + "%d request ids with exactly one set of certificates, %d with more%n", counts.joins.get(), counts.issued.get(),
                counts.retryable503.get(), counts.connectionFailures.get(), counts.unavailableWithoutRetryAfter.get(),
                counts.unexpected.size(), counts.gaveUp.size(), answeredOnce, serials.size() - answeredOnce);
        assertThat(counts.unexpected).as("answers that were neither issued nor retryable").isEmpty();
        assertThat(counts.gaveUp).as("joins that never got issued").isEmpty();
        assertThat(counts.unavailableWithoutRetryAfter.get()).isZero();
        assertThat(counts.issued.get()).isEqualTo(counts.joins.get());
        assertThat(serials).as("every issued request id is on sigil.issue.results").hasSize(counts.requestIds.size());
        assertThat(answeredOnce).as("no request id got two sets of certificates").isEqualTo(serials.size());
    }

    /**
     * One join as the agent makes it: a fresh token, one request id kept across retries; 503s and refused
     * connections are retried after a pause, anything else is unexpected.
     */
    private static void joinUntilIssued(String bot, Counts counts) {
        String requestId = UUID.randomUUID().toString();
        String body;
        try {
            body = EventJson.write(Map.of("joinMethod", "token", "token", createToken(bot, counts), "publicKey",
                    Bots.newPublicKey(), "requestId", requestId));
        } catch (IOException | InterruptedException e) {
            return; // no token while join-service is down: this join never started
        }
        counts.joins.incrementAndGet();
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try {
                HttpResponse<String> response = cluster.httpClient().send(HttpRequest.newBuilder(cluster.url(Service.JOIN)
                        .resolve("/v1/join")).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    counts.issued.incrementAndGet();
                    counts.requestIds.add(requestId);
                    return;
                }
                if (response.statusCode() != 503) {
                    counts.unexpected.add(counts.phase + ", attempt " + attempt + ": " + response.statusCode() + " " + response.body());
                    return;
                }
                if (response.headers().firstValue("Retry-After").isPresent()) {
                    counts.retryable503.incrementAndGet();
                } else {
                    counts.unavailableWithoutRetryAfter.incrementAndGet();
                }
            } catch (IOException e) {
                counts.connectionFailures.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            pause();
        }
        counts.gaveUp.add(requestId);
    }

    private static String createToken(String bot, Counts counts) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return Bots.admin(cluster).createToken(bot, "10m");
            } catch (IOException e) {
                if (attempt == MAX_ATTEMPTS) {
                    throw e;
                }
                pause();
            }
        }
    }

    /** The load generator's back-off between attempts, as a client's would be (not a test's synchronization). */
    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** For each of the request ids, the identity serials issued for it on sigil.issue.results (committed only). */
    private static Map<String, Set<String>> serialsByRequest(Set<String> requestIds) {
        Map<String, Set<String>> serials = new HashMap<>();
        TopicReader.readAll(cluster.kafkaClient(), List.of(Topics.ISSUE_RESULTS), true, Duration.ofMinutes(2), record -> {
            JsonNode result = EventJson.read(record.value(), JsonNode.class);
            String id = result.path("requestId").asText();
            if (requestIds.contains(id) && result.has("identity")) {
                serials.computeIfAbsent(id, k -> new HashSet<>()).add(result.at("/identity/serial").asText());
            }
        });
        return serials;
    }
}
