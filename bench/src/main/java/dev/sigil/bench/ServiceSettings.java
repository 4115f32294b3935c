package dev.sigil.bench;

import java.util.Arrays;

import dev.sigil.deploy.LocalCluster;

/**
 * Benchmark arguments of the form {@code NAME=value} after the benchmark's own: set in every service's environment
 * (Quarkus reads {@code KAFKA_STREAMS_COMMIT_INTERVAL_MS} as {@code kafka-streams.commit.interval.ms}), so two
 * settings can be compared on the same build.
 */
final class ServiceSettings {
    private ServiceSettings() {
    }

    static LocalCluster apply(LocalCluster cluster, String[] args, int from) {
        for (String setting : settings(args, from)) {
            int equals = setting.indexOf('=');
            if (equals < 1) {
                throw new IllegalArgumentException("a service setting is NAME=value, not " + setting);
            }
            cluster.withServiceEnv(setting.substring(0, equals), setting.substring(equals + 1));
        }
        return cluster;
    }

    /** The settings as they follow the benchmark's arguments in its reproduce line: empty, or a space and the list. */
    static String describe(String[] args, int from) {
        String[] settings = settings(args, from);
        return settings.length == 0 ? "" : " " + String.join(" ", settings);
    }

    private static String[] settings(String[] args, int from) {
        return Arrays.copyOfRange(args, Math.min(from, args.length), args.length);
    }
}
