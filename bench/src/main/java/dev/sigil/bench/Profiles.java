package dev.sigil.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.sigil.deploy.LocalCluster;

/**
 * JFR recordings ({@code settings=profile}) in every process of a local Sigil and in the benchmark's own JVM (the
 * driver), started and dumped through {@code jcmd} of the JDK this benchmark runs on, so a profile covers the whole
 * join path under the same load. {@link JfrSummary} reads the files.
 */
final class Profiles {
    private static final String RECORDING = "sigil-bench";

    private final Map<String, ProcessHandle> processes;
    private final Path dir;

    private Profiles(Map<String, ProcessHandle> processes, Path dir) {
        this.processes = processes;
        this.dir = dir;
    }

    /** Starts a recording in every process of the cluster and in this JVM; the files go to {@code dir} at {@link #stop()}. */
    static Profiles start(LocalCluster cluster, Path dir) throws IOException, InterruptedException {
        Map<String, ProcessHandle> all = new LinkedHashMap<>(cluster.processes());
        all.put(ProcessCpu.DRIVER, ProcessHandle.current());
        // A recording holds each process's environment (jdk.InitialEnvironmentVariable), secrets included: owner only.
        Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        for (var process : all.entrySet()) {
            jcmd(process.getValue(), "JFR.start", "name=" + RECORDING, "settings=profile");
        }
        return new Profiles(all, dir);
    }

    /** Dumps each recording to {@code <dir>/<process>.jfr}, stops it, and returns the files in process order. */
    List<Path> stop() throws IOException, InterruptedException {
        List<Path> files = new ArrayList<>();
        for (var process : processes.entrySet()) {
            Path file = dir.resolve(process.getKey() + ".jfr").toAbsolutePath();
            jcmd(process.getValue(), "JFR.dump", "name=" + RECORDING, "filename=" + file);
            jcmd(process.getValue(), "JFR.stop", "name=" + RECORDING);
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            files.add(file);
        }
        return files;
    }

    private static void jcmd(ProcessHandle process, String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(process.pid())));
        line.addAll(List.of(command));
        Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // jcmd exits 0 even when the command failed inside the target JVM; its output says so.
        if (jcmd.waitFor() != 0 || output.contains("Exception") || output.contains("Could not")) {
            throw new IOException("jcmd " + String.join(" ", line.subList(1, line.size())) + " failed: " + output.strip());
        }
    }
}
