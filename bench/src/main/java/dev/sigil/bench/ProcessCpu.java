package dev.sigil.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.sigil.deploy.LocalCluster;

/**
 * CPU time of every process of a local Sigil (the broker and each service replica) and of the benchmark's own JVM
 * (the driver), read from the operating system. Two snapshots around a measured window give each process's CPU per
 * unit of work, so a cost is reported per process instead of guessed from {@code top}.
 */
record ProcessCpu(Map<String, Duration> byProcess) {
    static final String DRIVER = "driver";

    static ProcessCpu snapshot(LocalCluster cluster) {
        Map<String, Duration> cpu = new LinkedHashMap<>();
        cluster.processes().forEach((name, process) -> cpu.put(name, cpuOf(process)));
        cpu.put(DRIVER, cpuOf(ProcessHandle.current()));
        return new ProcessCpu(cpu);
    }

    private static Duration cpuOf(ProcessHandle process) {
        return process.info().totalCpuDuration().orElseThrow(() -> new IllegalStateException(
                "the operating system does not report the CPU time of process " + process.pid()));
    }

    /** Microseconds of CPU per unit of work since {@code before}, per process, plus {@code total} (all but the driver). */
    Map<String, Double> microsPerUnitSince(ProcessCpu before, long units) {
        Map<String, Double> per = new LinkedHashMap<>();
        double system = 0;
        for (var entry : byProcess.entrySet()) {
            Duration earlier = before.byProcess.getOrDefault(entry.getKey(), Duration.ZERO);
            double micros = entry.getValue().minus(earlier).toNanos() / 1000.0 / units;
            per.put(entry.getKey(), micros);
            if (!DRIVER.equals(entry.getKey())) {
                system += micros;
            }
        }
        per.put("total", system);
        return per;
    }
}
