package dev.sigil.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * One open-loop run: every request sent, its latency in ms from when it was due, and what the run cost. A request
 * that failed or was not answered within the timeout has an infinite latency: it counts in every percentile as the
 * slowest there is, never as 0 ms, and a percentile it reaches prints as {@code failed}.
 *
 * @param outcomes how many requests ended how: an HTTP status, {@code issued}, {@code refused}, {@code late} (answered
 *                 after the timeout), {@code unanswered}, or an exception's name
 * @param cpu      microseconds of CPU per request, per process ({@link ProcessCpu#microsPerUnitSince})
 * @param bytes    bytes on Kafka per request, per topic ({@link KafkaBytes#perUnitSince})
 */
record OpenLoopRun(String name, int rate, Duration timeout, double[] latencies, Map<String, Integer> outcomes,
        Map<String, Double> cpu, Map<String, Double> bytes) {
    /** More failures than this share makes the run a failure: its p99 is not a latency. */
    static final double FAILED_SHARE = 0.01;

    static OpenLoopRun of(String name, int rate, Duration timeout, double[] latencies, Map<String, Integer> outcomes, Cost cost) {
        return new OpenLoopRun(name, rate, timeout, latencies, new TreeMap<>(outcomes), cost.cpuPer(latencies.length),
                cost.bytesPer(latencies.length));
    }

    int sent() {
        return latencies.length;
    }

    long failures() {
        return Arrays.stream(latencies).filter(Double::isInfinite).count();
    }

    boolean failed() {
        return failures() > FAILED_SHARE * sent();
    }

    Percentiles percentiles() {
        return Percentiles.of(latencies);
    }

    String line() {
        Percentiles p = percentiles();
        String cpuLine = cpu.isEmpty() ? "" : String.format("; CPU us/request: %s", compact(cpu, "%.0f"));
        String bytesLine = bytes.isEmpty() ? "" : String.format("; bytes/request on Kafka %.0f", bytes.get("total"));
        return String.format("%-34s p50 %s, p99 %s, max %s ms; %,d sent, %,d failed %s%s%s", name + ":", ms(p.p50()), p99(), ms(p.max()),
                sent(), failures(), outcomes, cpuLine, bytesLine);
    }

    /** The p99, or what it is known to be at least when failures reach it. */
    String p99() {
        double p99 = percentiles().p99();
        return Double.isInfinite(p99) ? ">= " + timeout.toMillis() + " (timeout; " + failures() + " failures)" : ms(p99);
    }

    static String ms(double millis) {
        return Double.isInfinite(millis) ? "failed" : Double.isNaN(millis) ? "-" : String.format("%.1f", millis);
    }

    static String compact(Map<String, Double> figures, String format) {
        StringBuilder s = new StringBuilder();
        figures.forEach((k, v) -> s.append(s.isEmpty() ? "" : ", ").append(k).append(' ').append(String.format(format, v)));
        return s.toString();
    }
}
