package dev.sigil.bench;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.AdminSpec;
import dev.sigil.contract.EventJson;
import dev.sigil.deploy.AdminBootstrap;
import dev.sigil.deploy.AdminClient;
import dev.sigil.deploy.LocalCluster;
import dev.sigil.deploy.Service;

/**
 * How long {@code sigil bots ls} takes with 10,000 bots: the packaged admin CLI (cli/target, built by
 * {@code mvn package}) run as an operator runs it, a new process each time, logged in as an admin over mTLS; it
 * reads every page (limit 1000) and prints the table. Alternating in each round:
 * <ul>
 * <li>the CLI through its launcher, with its AppCDS archive (written by the unmeasured rounds)</li>
 * <li>the CLI through its launcher without AppCDS ({@code SIGIL_CLI_CDS=off})</li>
 * <li>{@code --format json}, with archive</li>
 * <li>the API alone: the same pages fetched by this (warm) JVM over an open mTLS connection, no process started</li>
 * </ul>
 * and, to see where a run's time goes, {@code sigil --help} (a JVM start and picocli, no call) and {@code sigil bots ls
 * --role} of a role no bot has (the identity read, the mTLS handshake and one empty page).
 * Prints median and min-max, in milliseconds.
 *
 * <pre>mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.CliBotsLs -Dexec.args="10000 15"</pre>
 */
public final class CliBotsLs {
    private static final String[] VARIANTS = { "sigil bots ls (launcher, with archive)", "sigil bots ls (launcher, CDS off)",
            "sigil bots ls --format json (with archive)", "API alone: GET /v1/admin/bots pages, in-process",
            "sigil --help (with archive)", "sigil bots ls --role <none> (one empty page)" };

    public static void main(String[] args) throws Exception {
        int bots = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        Path root = LocalCluster.sourceRoot().toAbsolutePath();
        Path cli = root.resolve("cli/target/sigil");
        if (!Files.isExecutable(cli)) {
            throw new IllegalStateException(cli + " is missing: build first (mvn -DskipTests package)");
        }
        Path work = Files.createTempDirectory("sigil-cli-bench");
        try (LocalCluster cluster = new LocalCluster(root, work.resolve("sigil"), "bench.sigil.test").start()) {
            AdminClient admin = new AdminClient(cluster);
            admin.createRole("bench", List.of("bench"));
            long created = System.nanoTime();
            createBots(admin, bots);
            System.out.printf("created %,d bots through POST /v1/admin/bots in %.1f s%n", bots, (System.nanoTime() - created) / 1e9);

            AdminBootstrap.Bootstrapped operator = AdminBootstrap.bootstrap(cluster.kafkaClient(), "bench-operator",
                    AdminSpec.READ_ONLY, Duration.ofMinutes(10));
            Path home = Files.createDirectories(work.resolve("home"));
            Map<String, String> env = new LinkedHashMap<>();
            env.put("HOME", home.toString());
            env.put("JAVA_HOME", System.getProperty("java.home"));
            run(cli, work, env, "login", "--join-url", cluster.url(Service.JOIN).toString(), "--ca-pin", cluster.caPin(),
                    "--token", operator.token());

            // Every bot listed, by the CLI and by the API, before anything is timed.
            String table = Files.readString(run(cli, work, env, "bots", "ls"));
            long rows = table.lines().count() - 1;
            int pages = countApiBots(admin);
            if (rows < bots || pages < bots) {
                throw new IllegalStateException("expected " + bots + " bots; the CLI listed " + rows + ", the API " + pages);
            }

            double[][] times = new double[VARIANTS.length][rounds];
            for (int round = -3; round < rounds; round++) {
                for (int i = 0; i < VARIANTS.length; i++) {
                    int variant = Math.floorMod(i + round, VARIANTS.length);
                    double ms = measure(variant, cli, work, env, admin);
                    if (round >= 0) {
                        times[variant][round] = ms;
                    }
                }
            }
            System.out.println();
            System.out.printf("== sigil bots ls with %,d bots (%,d rows listed), %d runs each (median, min-max, ms) ==%n", bots,
                    rows, rounds);
            System.out.printf("commit %s; %s; sigil-cli.jar %,d bytes; %d cores; table output %,d bytes%n", commit(root),
                    System.getProperty("java.vm.version"), Files.size(root.resolve("cli/target/sigil-cli.jar")),
                    Runtime.getRuntime().availableProcessors(), table.length());
            for (int v = 0; v < VARIANTS.length; v++) {
                System.out.printf("  %-52s %s%n", VARIANTS[v], spread(times[v]));
            }
            System.out.println("Reproduce: mvn -B -q -DskipTests install && mvn -q -pl bench exec:java "
                    + "-Dexec.mainClass=dev.sigil.bench.CliBotsLs -Dexec.args=\"" + bots + " " + rounds + "\"");
        }
        System.exit(0);
    }

    /** Posts the bots 32 at a time (each answer waits for its write to Kafka). */
    private static void createBots(AdminClient admin, int bots) throws Exception {
        Semaphore inFlight = new Semaphore(32);
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < bots; i++) {
            inFlight.acquire();
            String body = EventJson.write(Map.of("name", String.format("bot-%05d", i), "roles", List.of("bench"),
                    "traits", Map.of("logins", List.of("deploy"))));
            answers.add(admin.http().sendAsync(admin.request("/v1/admin/bots").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, e) -> inFlight.release()));
        }
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get();
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("creating a bot answered " + response.statusCode() + ": " + response.body());
            }
        }
    }

    private static double measure(int variant, Path cli, Path work, Map<String, String> env, AdminClient admin) throws Exception {
        long start = System.nanoTime();
        switch (variant) {
            case 0 -> run(cli, work, env, "bots", "ls");
            case 1 -> {
                Map<String, String> off = new LinkedHashMap<>(env);
                off.put("SIGIL_CLI_CDS", "off");
                run(cli, work, off, "bots", "ls");
            }
            case 2 -> run(cli, work, env, "bots", "ls", "--format", "json");
            case 3 -> countApiBots(admin);
            case 4 -> run(cli, work, env, "--help");
            default -> run(cli, work, env, "bots", "ls", "--role", "no-such-role");
        }
        return (System.nanoTime() - start) / 1e6;
    }

    /** Every page of GET /v1/admin/bots, as the CLI asks for them; returns how many bots they held. */
    private static int countApiBots(AdminClient admin) throws Exception {
        int count = 0;
        String after = null;
        do {
            JsonNode page = admin.get("/v1/admin/bots?limit=1000" + (after == null ? "" : "&after=" + after));
            count += page.path("items").size();
            after = page.path("next").isTextual() ? page.path("next").asText() : null;
        } while (after != null);
        return count;
    }

    /** Runs the CLI, its output to a file (as a terminal or a pipe would take it); fails on a non-zero exit. */
    private static Path run(Path cli, Path work, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(cli.toString()));
        command.addAll(List.of(args));
        Path out = work.resolve("cli.out");
        Path err = work.resolve("cli.err");
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in 120 s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + Files.readString(err));
        }
        return out;
    }

    private static String spread(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return String.format("%6.0f (%.0f-%.0f)", sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1]);
    }

    /** git describe of the tree, or -Dsigil.commit when it is a git archive of one. */
    private static String commit(Path root) throws Exception {
        if (System.getProperty("sigil.commit") != null) {
            return System.getProperty("sigil.commit");
        }
        Process git = new ProcessBuilder("git", "-C", root.toString(), "describe", "--always", "--dirty").start();
        String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return git.waitFor() == 0 ? out : "unknown";
    }
}
