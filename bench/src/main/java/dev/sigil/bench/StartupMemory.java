package dev.sigil.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.sigil.deploy.LocalCluster;
import dev.sigil.deploy.Service;

/**
 * Benchmark 5: start-up time and memory per service. Starts the local Sigil three times (fresh state each time) and
 * prints, per service, Quarkus's own "started in" time and the resident set size once every service is ready.
 *
 * <pre>mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.StartupMemory</pre>
 */
public final class StartupMemory {
    private static final Pattern STARTED = Pattern.compile("started in ([0-9.]+)s");

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        java.util.Map<Service, List<double[]>> samples = new java.util.EnumMap<>(Service.class);
        List<Double> wholeCluster = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            long begin = System.nanoTime();
            try (LocalCluster cluster = new LocalCluster(LocalCluster.sourceRoot(), Files.createTempDirectory("sigil-bench-start"),
                    "bench.sigil.test").start()) {
                wholeCluster.add((System.nanoTime() - begin) / 1e9);
                for (Service service : Service.values()) {
                    LocalCluster.Replica replica = new LocalCluster.Replica(service, 0);
                    Matcher m = STARTED.matcher(Files.readString(cluster.log(replica)));
                    double started = m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
                    samples.computeIfAbsent(service, s -> new ArrayList<>()).add(new double[] { started, rss(cluster.process(replica).pid()) });
                }
            }
        }
        System.out.println();
        System.out.printf("== Start-up and memory, %d rounds (median, min-max) ==%n", rounds);
        System.out.printf("whole local Sigil (broker + 4 services) ready in: %s s%n", spread(wholeCluster.stream().mapToDouble(d -> d).toArray()));
        for (var e : samples.entrySet()) {
            double[] started = e.getValue().stream().mapToDouble(s -> s[0]).toArray();
            double[] rss = e.getValue().stream().mapToDouble(s -> s[1]).toArray();
            System.out.printf("%-16s started in %s s; RSS when ready %s MB (-Xmx384m)%n", e.getKey().name().toLowerCase(),
                    spread(started), spread(rss));
        }
        System.out.println("Reproduce: mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.StartupMemory -Dexec.args=\"" + rounds + "\"");
        System.exit(0);
    }

    private static String spread(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return String.format("%.1f (%.1f-%.1f)", sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1]);
    }

    /** A process's resident set size in MB, from /proc. */
    static double rss(long pid) throws Exception {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0) / 1024.0;
    }
}
