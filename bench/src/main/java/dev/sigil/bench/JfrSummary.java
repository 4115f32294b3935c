package dev.sigil.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises JFR recordings ({@code settings=profile}, e.g. from {@link Profiles}) so that where a process's CPU goes
 * is printed by code, not read off by hand. Per file: execution samples by the category of the running (top) frame;
 * the same samples by their entry, the nearest Sigil frame below the top (so Jackson called from {@code EventJson}
 * counts under {@code EventJson}), or, with no Sigil frame on the stack, the category of the thread's outermost
 * library frame; the hottest methods; threads; GC time and allocation rate.
 *
 * <pre>bench/jfr-summary bench/results/profiles/DATE/*.jfr</pre>
 */
public final class JfrSummary {
    /** Category of a frame by its class's package; the first matching prefix wins. */
    private static final List<Map.Entry<String, List<String>>> CATEGORIES = List.of(
            // The JDK's ciphers (AES-GCM) run only for TLS in Sigil's processes; signing is BouncyCastle's.
            Map.entry("TLS", List.of("sun.security.ssl.", "io.netty.handler.ssl.", "javax.net.ssl.", "io.netty.internal.tcnative.",
                    "com.sun.crypto.provider.", "javax.crypto.")),
            Map.entry("signing/crypto", List.of("org.bouncycastle.", "sun.security.", "java.security.")),
            Map.entry("JSON", List.of("com.fasterxml.jackson.")),
            Map.entry("compression", List.of("net.jpountz.", "com.github.luben.zstd.", "org.xerial.snappy.", "org.apache.kafka.common.compress.",
                    "java.util.zip.")),
            Map.entry("Kafka Streams", List.of("org.apache.kafka.streams.")),
            Map.entry("RocksDB", List.of("org.rocksdb.")),
            Map.entry("Kafka client", List.of("org.apache.kafka.clients.", "org.apache.kafka.common.")),
            Map.entry("broker", List.of("kafka.", "org.apache.kafka.", "scala.", "com.yammer.metrics.")),
            Map.entry("HTTP (Vert.x/Netty)", List.of("io.vertx.", "io.netty.")),
            Map.entry("Quarkus/SmallRye", List.of("io.smallrye.", "io.quarkus.", "org.jboss.resteasy.", "jakarta.", "io.micrometer.")),
            Map.entry("logging", List.of("org.jboss.logging.", "org.jboss.logmanager.", "org.apache.logging.", "org.slf4j.", "ch.qos.")),
            Map.entry("Sigil", List.of("dev.sigil.")),
            Map.entry("JDK", List.of("java.", "javax.", "jdk.", "sun.", "com.sun.")));
    private static final String OTHER = "other";

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: JfrSummary file.jfr...");
            System.exit(2);
        }
        for (String file : args) {
            System.out.print(summarise(Path.of(file)));
        }
    }

    static String summarise(Path file) throws IOException {
        Map<String, Long> byCategory = new HashMap<>();
        Map<String, Map<String, Long>> byEntry = new HashMap<>();
        Map<String, Long> hotMethods = new HashMap<>();
        Map<String, Long> byThread = new HashMap<>();
        Map<String, Long> otherPackages = new HashMap<>();
        long samples = 0;
        long gcs = 0;
        Duration gcTime = Duration.ZERO;
        Duration gcPauses = Duration.ZERO;
        double allocatedBytes = 0;
        double cpuLoad = 0;
        long cpuLoadEvents = 0;
        Instant first = null;
        Instant last = null;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                first = first == null || event.getStartTime().isBefore(first) ? event.getStartTime() : first;
                last = last == null || event.getEndTime().isAfter(last) ? event.getEndTime() : last;
                switch (event.getEventType().getName()) {
                    case "jdk.ExecutionSample" -> {
                        RecordedStackTrace stack = event.getStackTrace();
                        if (stack == null || stack.getFrames().isEmpty()) {
                            continue;
                        }
                        samples++;
                        List<RecordedFrame> frames = stack.getFrames();
                        String top = typeOf(frames.get(0));
                        String category = category(top);
                        byCategory.merge(category, 1L, Long::sum);
                        if (category.equals(OTHER)) {
                            otherPackages.merge(top.contains(".") ? top.substring(0, top.lastIndexOf('.')) : top, 1L, Long::sum);
                        }
                        hotMethods.merge(shortName(top) + "." + frames.get(0).getMethod().getName(), 1L, Long::sum);
                        byEntry.computeIfAbsent(entry(frames), e -> new HashMap<>()).merge(category, 1L, Long::sum);
                        if (event.getThread("sampledThread") != null) {
                            String thread = event.getThread("sampledThread").getJavaName();
                            // Kafka Streams names its threads after the application's UUID: one line per kind of thread.
                            byThread.merge(thread == null ? "?" : thread.replaceAll("[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", "<id>")
                                    .replaceAll("\\d+", "#"), 1L, Long::sum);
                        }
                    }
                    case "jdk.GarbageCollection" -> {
                        gcs++;
                        gcTime = gcTime.plus(event.getDuration());
                        gcPauses = gcPauses.plus(event.getDuration("sumOfPauses"));
                    }
                    case "jdk.ObjectAllocationSample" -> allocatedBytes += event.getLong("weight");
                    case "jdk.CPULoad" -> {
                        cpuLoad += event.getFloat("jvmUser") + event.getFloat("jvmSystem");
                        cpuLoadEvents++;
                    }
                    default -> {
                    }
                }
            }
        }
        double seconds = first == null ? 0 : Duration.between(first, last).toMillis() / 1000.0;
        StringBuilder out = new StringBuilder();
        String name = file.getFileName().toString().replaceFirst("\\.jfr$", "");
        out.append(String.format("== %s (%s): %,d execution samples over %.0f s", name, file, samples, seconds));
        if (cpuLoadEvents > 0) {
            out.append(String.format("; JVM CPU %.0f%% of the machine (jdk.CPULoad mean)", 100 * cpuLoad / cpuLoadEvents));
        }
        out.append('\n');
        out.append(String.format("GC: %d collections, %d ms in GC, %d ms paused", gcs, gcTime.toMillis(), gcPauses.toMillis()));
        if (allocatedBytes > 0 && seconds > 0) {
            out.append(String.format("; allocation about %.0f MB/s (jdk.ObjectAllocationSample)", allocatedBytes / seconds / 1e6));
        }
        out.append('\n');
        out.append("(samples are of threads running Java code: JIT compilation, GC and time in native code are not among them)\n");
        out.append("by category of the running frame:\n");
        for (var c : sorted(byCategory, 20)) {
            out.append(String.format("  %5.1f%%  %s%n", percent(c.getValue(), samples), c.getKey()));
        }
        if (!otherPackages.isEmpty()) {
            out.append("  other, by package:");
            for (var p : sorted(otherPackages, 5)) {
                out.append(String.format(" %s %.1f%%", p.getKey(), percent(p.getValue(), samples)));
            }
            out.append('\n');
        }
        out.append("by entry (nearest Sigil frame, else the thread's outermost library category), with what runs inside:\n");
        Map<String, Long> entryTotals = new HashMap<>();
        byEntry.forEach((entry, inside) -> entryTotals.put(entry, inside.values().stream().mapToLong(Long::longValue).sum()));
        for (var e : sorted(entryTotals, 20)) {
            StringBuilder inside = new StringBuilder();
            for (var c : sorted(byEntry.get(e.getKey()), 3)) {
                inside.append(inside.isEmpty() ? "" : ", ").append(String.format("%s %.0f%%", c.getKey(), percent(c.getValue(), e.getValue())));
            }
            out.append(String.format("  %5.1f%%  %s  [%s]%n", percent(e.getValue(), samples), e.getKey(), inside));
        }
        out.append("hot methods (running frame):\n");
        for (var m : sorted(hotMethods, 20)) {
            out.append(String.format("  %5.1f%%  %s%n", percent(m.getValue(), samples), m.getKey()));
        }
        out.append("threads:\n");
        for (var t : sorted(byThread, 8)) {
            out.append(String.format("  %5.1f%%  %s%n", percent(t.getValue(), samples), t.getKey()));
        }
        out.append('\n');
        return out.toString();
    }

    /**
     * The nearest Sigil frame below the top ({@code Sigil: EventJson.write}); with none on the stack, the category of
     * the outermost (bottom-most) frame that is not the JDK's, i.e. the library that runs the thread.
     */
    private static String entry(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            String type = typeOf(frame);
            if (type.startsWith("dev.sigil.")) {
                return "Sigil: " + shortName(type) + "." + frame.getMethod().getName();
            }
        }
        for (int i = frames.size() - 1; i >= 0; i--) {
            String category = category(typeOf(frames.get(i)));
            if (!category.equals("JDK") && !category.equals(OTHER)) {
                return category + " (no Sigil frame)";
            }
        }
        return category(typeOf(frames.get(0))) + " (no Sigil frame, no library)";
    }

    static String category(String type) {
        for (var c : CATEGORIES) {
            for (String prefix : c.getValue()) {
                if (type.startsWith(prefix)) {
                    return c.getKey();
                }
            }
        }
        return OTHER;
    }

    private static String typeOf(RecordedFrame frame) {
        return frame.getMethod() == null || frame.getMethod().getType() == null ? "?" : frame.getMethod().getType().getName();
    }

    /** {@code dev.sigil.contract.EventJson} -> {@code contract.EventJson}; others keep their full name. */
    private static String shortName(String type) {
        return type.startsWith("dev.sigil.") ? type.substring("dev.sigil.".length()) : type;
    }

    private static double percent(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }

    private static List<Map.Entry<String, Long>> sorted(Map<String, Long> counts, int limit) {
        Map<String, Long> copy = new LinkedHashMap<>(counts);
        return copy.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).limit(limit).toList();
    }
}
