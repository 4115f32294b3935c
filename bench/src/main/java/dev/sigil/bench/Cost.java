package dev.sigil.bench;

import java.util.Map;

import dev.sigil.deploy.LocalCluster;

/**
 * What a measured window of load costs: each process's CPU from the first request sent to the last answer (or the
 * deadline), and the bytes every topic grew by until the work behind those answers settled (output-writer and
 * renewal-service read results after the caller has its answer).
 */
final class Cost {
    private final LocalCluster cluster;
    private KafkaBytes bytesBefore;
    private KafkaBytes bytesAfter;
    private ProcessCpu cpuBefore;
    private ProcessCpu cpuAfter;

    private Cost(LocalCluster cluster) {
        this.cluster = cluster;
    }

    /** Measures this cluster's processes; null: measures nothing, for a run that only wants latencies. */
    static Cost of(LocalCluster cluster) {
        return new Cost(cluster);
    }

    void sending() throws Exception {
        if (cluster != null) {
            bytesBefore = KafkaBytes.snapshot(cluster);
            cpuBefore = ProcessCpu.snapshot(cluster);
        }
    }

    void answered() {
        if (cluster != null) {
            cpuAfter = ProcessCpu.snapshot(cluster);
        }
    }

    void settled() throws Exception {
        if (cluster != null) {
            Thread.sleep(1000); // output-writer and renewal-service read the last results after the caller had them
            bytesAfter = KafkaBytes.snapshot(cluster);
        }
    }

    /** Microseconds of CPU per unit, per process, plus {@code total} (all but the driver); empty if not measured. */
    Map<String, Double> cpuPer(long units) {
        return cpuAfter == null ? Map.of() : cpuAfter.microsPerUnitSince(cpuBefore, units);
    }

    /** Bytes on Kafka per unit, per topic, plus {@code total}; empty if not measured. */
    Map<String, Double> bytesPer(long units) {
        return bytesAfter == null ? Map.of() : bytesAfter.perUnitSince(bytesBefore, units);
    }
}
