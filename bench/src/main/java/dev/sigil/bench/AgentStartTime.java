package dev.sigil.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.sigil.deploy.AdminClient;
import dev.sigil.deploy.LocalCluster;
import dev.sigil.deploy.Service;

/**
 * Start time of the packaged agent (agent/target, built by {@code mvn package}): wall time of {@code sigil-agent
 * --help} and of a real {@code sigil-agent start --oneshot} token join against a local Sigil, each run as a CI job
 * runs it, as a new process. Five ways to run it, alternating in each round:
 * <ul>
 * <li>{@code java -jar sigil-agent.jar}</li>
 * <li>the launcher without AppCDS ({@code SIGIL_AGENT_CDS=off}: C1 only and the serial collector)</li>
 * <li>the launcher's first run on a machine (an empty cache: it only notes the command; a CI job on a fresh machine)</li>
 * <li>the launcher's second run, which writes the AppCDS archive as it exits</li>
 * <li>the launcher with its archive (third run on; a runner whose cache survives between jobs)</li>
 * </ul>
 * Prints median and min-max of each, in milliseconds.
 *
 * <pre>mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.AgentStartTime -Dexec.args="15"</pre>
 *
 * Give "15 --no-join" to measure only {@code --help} (no local Sigil).
 */
public final class AgentStartTime {
    private static final String[] VARIANTS = { "java -jar", "launcher, CDS off", "launcher, 1st run (empty cache)",
            "launcher, 2nd run (writes archive)", "launcher, with archive" };

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        boolean join = !Arrays.asList(args).contains("--no-join");
        Path root = LocalCluster.sourceRoot().toAbsolutePath();
        Path jar = root.resolve("agent/target/sigil-agent.jar");
        Path launcher = root.resolve("agent/target/sigil-agent");
        if (!Files.isRegularFile(jar) || !Files.isExecutable(launcher)) {
            throw new IllegalStateException(jar + " or " + launcher + " is missing: build first (mvn -DskipTests package)");
        }
        Path work = Files.createTempDirectory("sigil-agent-start");
        Path cache = work.resolve("cache");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        Map<String, double[][]> samples = new LinkedHashMap<>();
        samples.put("--help", measure(rounds, work, (variant, round) -> run(variant, javaBin, jar, launcher, cache, work, round,
                List.of("--help"), () -> List.of("--help"))));
        if (join) {
            try (LocalCluster cluster = new LocalCluster(root, work.resolve("sigil"), "bench.sigil.test").start()) {
                AdminClient admin = new AdminClient(cluster);
                admin.createRole("bench", List.of("bench"));
                admin.createBot("bench-bot", List.of("bench"), List.of("bench"));
                Args joinArgs = () -> {
                    Path token = Files.writeString(Files.createTempFile(work, "token", ""), admin.createToken("bench-bot", "10m"));
                    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
                    return List.of("start", "--oneshot", "--join-url", cluster.url(Service.JOIN).toString(), "--ca-pin",
                            cluster.caPin(), "--token-file", token.toString(), "--destination",
                            Files.createTempDirectory(work, "out").toString());
                };
                samples.put("start --oneshot (token join)", measure(rounds, work, (variant, round) -> run(variant, javaBin, jar,
                        launcher, cache, work, round, joinArgs.get(), joinArgs)));
            }
        }

        System.out.println();
        System.out.printf("== sigil-agent start time, %d runs each (median, min-max, ms) ==%n", rounds);
        System.out.printf("commit %s; %s; sigil-agent.jar %,d bytes; %d cores%n", commit(root), System.getProperty("java.vm.version"),
                Files.size(jar), Runtime.getRuntime().availableProcessors());
        for (var e : samples.entrySet()) {
            System.out.println(e.getKey() + ":");
            for (int v = 0; v < VARIANTS.length; v++) {
                System.out.printf("  %-36s %s%n", VARIANTS[v], spread(e.getValue()[v]));
            }
        }
        System.out.println("Reproduce: mvn -B -q -DskipTests install && mvn -q -pl bench exec:java "
                + "-Dexec.mainClass=dev.sigil.bench.AgentStartTime -Dexec.args=\"" + String.join(" ", args) + "\"");
        System.exit(0);
    }

    interface Args {
        List<String> get() throws Exception;
    }

    interface Runner {
        double run(int variant, int round) throws Exception;
    }

    /** Two unmeasured rounds, then {@code rounds} rounds of every variant, in a rotating order. */
    private static double[][] measure(int rounds, Path work, Runner runner) throws Exception {
        double[][] times = new double[VARIANTS.length][rounds];
        for (int round = -2; round < rounds; round++) {
            for (int i = 0; i < VARIANTS.length; i++) {
                int variant = Math.floorMod(i + round, VARIANTS.length);
                double ms = runner.run(variant, round);
                if (round >= 0) {
                    times[variant][round] = ms;
                }
            }
        }
        return times;
    }

    private static double run(int variant, String javaBin, Path jar, Path launcher, Path cache, Path work, int round, List<String> args,
            Args firstRunArgs) throws Exception {
        List<String> command = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        switch (variant) {
            case 0 -> command.addAll(List.of(javaBin, "-jar", jar.toString()));
            case 1 -> {
                command.add(launcher.toString());
                env.put("SIGIL_AGENT_CDS", "off");
            }
            case 2, 3 -> {
                command.add(launcher.toString());
                // A cache of its own each time. The second run is measured after an unmeasured first one, with the
                // same arguments but for --destination (a join token works once, so another token's file).
                env.put("SIGIL_AGENT_CACHE", Files.createTempDirectory(work, "fresh-cache").toString());
                if (variant == 3) {
                    List<String> first = new ArrayList<>(command);
                    first.addAll(firstRunArgs.get());
                    ProcessBuilder pb = new ProcessBuilder(first).directory(work.toFile()).redirectErrorStream(true)
                            .redirectOutput(work.resolve("agent.log").toFile());
                    pb.environment().putAll(env);
                    if (pb.start().waitFor() != 0) {
                        throw new IllegalStateException("the unmeasured first run failed:\n" + Files.readString(work.resolve("agent.log")));
                    }
                }
            }
            default -> {
                command.add(launcher.toString());
                env.put("SIGIL_AGENT_CACHE", cache.toString()); // written by the first round (unmeasured)
            }
        }
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve("agent.log").toFile());
        pb.environment().putAll(env);
        long start = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in 120 s");
        }
        double ms = (System.nanoTime() - start) / 1e6;
        if (variant == 2 || variant == 3) {
            deleteTree(Path.of(env.get("SIGIL_AGENT_CACHE")));
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ":\n"
                    + Files.readString(work.resolve("agent.log")));
        }
        return ms;
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    private static String spread(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return String.format("%6.0f (%.0f-%.0f)", sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1]);
    }

    private static String commit(Path root) throws Exception {
        Process git = new ProcessBuilder("git", "-C", root.toString(), "describe", "--always", "--dirty").start();
        String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return git.waitFor() == 0 ? out : "unknown";
    }
}
