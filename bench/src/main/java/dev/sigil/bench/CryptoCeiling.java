package dev.sigil.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Benchmark 1: the crypto ceiling. Runs {@link SigningBenchmark} with 1 thread and with one per core, then
 * {@code openssl speed ed25519 ecdsap256} on every core, in the same run so both see the same machine.
 *
 * <pre>mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.CryptoCeiling</pre>
 */
public final class CryptoCeiling {
    /** JMH forks with java.class.path; under {@code mvn exec:java} the classes are in a class loader instead. */
    static void forkWithThisClasspath() throws Exception {
        if (Thread.currentThread().getContextClassLoader() instanceof java.net.URLClassLoader loader) {
            List<String> entries = new ArrayList<>();
            for (java.net.URL url : loader.getURLs()) {
                entries.add(java.nio.file.Path.of(url.toURI()).toString());
            }
            System.setProperty("java.class.path", String.join(java.io.File.pathSeparator, entries));
        }
    }

    public static void main(String[] args) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        forkWithThisClasspath();
        StringBuilder report = new StringBuilder();
        for (int threads : new int[] { 1, cores }) {
            Options options = new OptionsBuilder().include(SigningBenchmark.class.getName()).threads(threads).forks(1)
                    .warmupIterations(2).warmupTime(TimeValue.seconds(3)).measurementIterations(5)
                    .measurementTime(TimeValue.seconds(3)).jvmArgs("-Xmx512m").build();
            Collection<RunResult> results = new Runner(options).run();
            for (RunResult r : results) {
                double[] scores = r.getBenchmarkResults().stream().flatMap(b -> b.getIterationResults().stream())
                        .mapToDouble(i -> i.getPrimaryResult().getScore()).sorted().toArray();
                report.append(String.format("SSH+X.509 pairs/s, %d thread(s): median %.0f (min %.0f, max %.0f over %d iterations)%n",
                        threads, scores[scores.length / 2], scores[0], scores[scores.length - 1], scores.length));
            }
        }
        Process openssl = new ProcessBuilder("openssl", "speed", "-seconds", "3", "-multi", String.valueOf(cores), "ed25519",
                "ecdsap256").redirectErrorStream(true).start();
        String speed = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        openssl.waitFor();
        System.out.println();
        System.out.println("== Crypto ceiling (" + cores + " cores) ==");
        System.out.print(report);
        System.out.println("openssl speed -seconds 3 -multi " + cores + " ed25519 ecdsap256 (the same run):");
        speed.lines().filter(l -> !l.startsWith("+") && !l.startsWith("Got:") && (l.contains("sign/s") || l.contains("(Ed25519)")
                || l.contains("(nistp256)") || l.startsWith("version"))).forEach(l -> System.out.println("  " + l));
        System.out.println("Reproduce: mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.CryptoCeiling");
    }
}
