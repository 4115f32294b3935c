package dev.sigil.bench;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import dev.sigil.contract.Topics;
import dev.sigil.deploy.AdminClient;
import dev.sigil.deploy.BotKeys;
import dev.sigil.deploy.LocalCluster;
import dev.sigil.deploy.Service;

/**
 * What authenticated Kafka costs (issue 12): the same build run with the bus's mutual TLS, ACLs and signed issue
 * requests on (the default) and off ({@link LocalCluster#withBusSecurity}), alternating, so both meet the same
 * machine. Each run starts a fresh Sigil, warms it up, then measures HTTP token joins at a fixed open-loop rate
 * (p50/p99, as {@link JoinOpenLoop}) and issuances per second on Kafka (as {@link IssuanceThroughput}). Prints
 * every run and the median with min-max of each side.
 *
 * <pre>mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.BusSecurityCost -Dexec.args="3 200 10 10000"</pre>
 */
public final class BusSecurityCost {

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int issuances = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
        List<double[]> on = new ArrayList<>();
        List<double[]> off = new ArrayList<>();
        for (int r = 1; r <= runs; r++) {
            for (boolean secure : new boolean[] {true, false}) {
                double[] figures = run(secure, rate, seconds, issuances, "run " + r + " bus security " + (secure ? "on" : "off"));
                (secure ? on : off).add(figures);
            }
        }
        System.out.println();
        System.out.printf("== Bus security on vs off, %d runs each, alternating; %d joins/s for %d s, %,d issuances ==%n",
                runs, rate, seconds, issuances);
        for (String side : List.of("on", "off")) {
            List<double[]> figures = side.equals("on") ? on : off;
            System.out.printf("security %-3s join p50 %s ms; join p99 %s ms; issuance %s /s%n", side, median(figures, 0),
                    median(figures, 1), median(figures, 2));
        }
        System.out.printf("Reproduce: mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.BusSecurityCost "
                + "-Dexec.args=\"%d %d %d %d\"%n", runs, rate, seconds, issuances);
        System.exit(0);
    }

    /** {join p50, join p99, issuances per second} of one fresh Sigil. */
    private static double[] run(boolean secure, int rate, int seconds, int issuances, String name) throws Exception {
        try (LocalCluster cluster = new LocalCluster(LocalCluster.sourceRoot(), Files.createTempDirectory("sigil-bench-bus"),
                "bench.sigil.test").withBusSecurity(secure).withReplicas(Service.OUTPUT_WRITER, 0).withRateLimitsLifted()
                .start()) {
            AdminClient admin = new AdminClient(cluster);
            admin.createRole("bench-role", List.of("deploy"));
            for (int i = 0; i < JoinOpenLoop.BOTS; i++) {
                admin.createBot("bench-" + i, List.of("bench-role"), List.of("deploy"));
            }
            String publicKey = BotKeys.newPublicKey();
            HttpClient http = cluster.httpClient(HttpClient.Version.HTTP_2);
            JoinOpenLoop.run(cluster, http, admin, publicKey, 100, 10, name + " warm-up 1");
            JoinOpenLoop.run(cluster, http, admin, publicKey, 200, 10, name + " warm-up 2");
            JoinOpenLoop.Result joins = JoinOpenLoop.measure(cluster, http, admin, publicKey, rate, seconds, name + " " + rate + "/s");
            if (!joins.allAnswered()) {
                throw new IllegalStateException(name + ": some joins were never answered; not a figure to compare");
            }
            Percentiles latency = Percentiles.of(joins.latencies());

            List<String> bots = DeliveryBots.create(admin, 64);
            DeliveryBots.signAs(secure ? cluster.busIdentity("output-writer") : null);
            AtomicReference<String> sample = new AtomicReference<>();
            IssuanceThroughput.round(cluster.kafkaClient(), Topics.ISSUE_REQUESTS, Topics.ISSUE_RESULTS, bots, publicKey,
                    issuances, name + " issuance warm-up", sample);
            double perSecond = IssuanceThroughput.round(cluster.kafkaClient(), Topics.ISSUE_REQUESTS, Topics.ISSUE_RESULTS,
                    bots, publicKey, issuances, name + " issuance", sample);
            System.out.printf("%s: join p50 %.1f ms, p99 %.1f ms; issuance %.0f/s%n", name, latency.p50(), latency.p99(), perSecond);
            return new double[] {latency.p50(), latency.p99(), perSecond};
        }
    }

    private static String median(List<double[]> figures, int column) {
        double[] values = figures.stream().mapToDouble(f -> f[column]).sorted().toArray();
        return String.format("median %.1f (min %.1f, max %.1f)", values[values.length / 2], values[0], values[values.length - 1]);
    }

    private BusSecurityCost() {
    }
}
