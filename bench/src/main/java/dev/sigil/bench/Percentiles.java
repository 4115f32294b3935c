package dev.sigil.bench;

import java.util.Arrays;

/** Percentiles of a set of samples, as the benchmarks print them. */
record Percentiles(int count, double p50, double p90, double p99, double p999, double max) {
    static Percentiles of(double[] samples) {
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        return new Percentiles(sorted.length, at(sorted, 50), at(sorted, 90), at(sorted, 99), at(sorted, 99.9),
                sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1]);
    }

    private static double at(double[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)];
    }

    @Override
    public String toString() {
        return String.format("p50 %.1f, p90 %.1f, p99 %.1f, p99.9 %.1f, max %.1f (n=%,d)", p50, p90, p99, p999, max, count);
    }
}
