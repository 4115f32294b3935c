package dev.sigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged agent as a CI job gets it: sigil-agent.jar and its launcher copied into an empty directory and run
 * from another one, by the launcher, with an environment that holds no classpath and no repository.
 */
class PackagedAgentIT {
    private static final Path BUILT = Path.of(System.getProperty("sigil.agent.dir", "target"));

    @TempDir
    Path dir;

    private Path launcher;
    private Path cache;
    private Path work;

    @BeforeEach
    void download() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.copy(BUILT.resolve("sigil-agent.jar"), bin.resolve("sigil-agent.jar"));
        // Copied as a download keeps it: the executable bit comes from the build, not from this test.
        launcher = Files.copy(BUILT.resolve("sigil-agent"), bin.resolve("sigil-agent"), StandardCopyOption.COPY_ATTRIBUTES);
        cache = dir.resolve("cache");
        work = Files.createDirectories(dir.resolve("job"));
    }

    @Test
    void helpNamesTheCommands() throws Exception {
        Run help = run(Map.of(), "--help");

        assertThat(help.exitCode).isZero();
        assertThat(help.stdout).contains("Usage: sigil-agent").containsPattern("(?m)^ +start ").containsPattern("(?m)^ +renew ");
    }

    @Test
    void startHelpListsTheFlagsACiJobNeeds() throws Exception {
        Run help = run(Map.of(), "start", "--help");

        assertThat(help.exitCode).isZero();
        assertThat(help.stdout).contains("Usage: sigil-agent start").contains("--oneshot").contains("--config").contains("--join-url")
                .contains("--ca-pin").contains("--join-method").contains("--token").contains("--destination");
    }

    @Test
    void aOneshotJoinThatCannotReachSigilFailsWithAMessageNotAStackTrace() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        } // closed: connecting to it is refused
        String url = "https://127.0.0.1:" + port;

        Run join = run(Map.of(), "start", "--oneshot", "--join-url", url, "--ca-pin", "sha256:" + "ab".repeat(32), "--token",
                "a-join-token", "--destination", work.resolve("out").toString());

        assertThat(join.exitCode).isNotZero();
        assertThat(join.stderr).startsWith("sigil-agent: ").contains("127.0.0.1:" + port).doesNotContain("\tat ");
        assertThat(work.resolve("out")).doesNotExist();
    }

    @Test
    void theFirstRunOnlyNotesTheCommandTheSecondWritesItsArchiveAndLaterRunsMapTheAgentFromIt() throws Exception {
        assertThat(run(Map.of(), "--help").exitCode).isZero();
        assertThat(archives()).isEmpty();

        assertThat(run(Map.of(), "--help").exitCode).isZero();
        List<Path> archives = archives();
        assertThat(archives).hasSize(1).allSatisfy(a -> assertThat(a.getFileName().toString()).endsWith("-other.jsa"));
        FileTime made = Files.getLastModifiedTime(archives.get(0));

        Path classLog = dir.resolve("classes.log");
        Run third = run(Map.of("SIGIL_AGENT_JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog), "--help");

        assertThat(third.exitCode).isZero();
        assertThat(third.stdout).contains("Usage: sigil-agent");
        // (picocli is built for Java 5, and Java 17 archives no class that old: it still comes from the jar.)
        assertThat(Files.readString(classLog)).contains("dev.sigil.output.agent.Agent source: shared objects file (top)")
                .contains("dev.sigil.output.agent.Agent$Start source: shared objects file (top)");
        assertThat(archives()).containsExactlyElementsOf(archives);
        assertThat(Files.getLastModifiedTime(archives.get(0))).isEqualTo(made);
    }

    @Test
    void aRunThatFailsLeavesNoArchiveForItsCommand() throws Exception {
        for (int i = 0; i < 3; i++) {
            Run noToken = run(Map.of(), "start", "--oneshot", "--join-url", "https://127.0.0.1:1");
            assertThat(noToken.exitCode).isEqualTo(1);
            assertThat(noToken.stderr).startsWith("sigil-agent: ");
        }

        assertThat(archives()).isEmpty();
        assertThat(files(cache)).allSatisfy(f -> assertThat(f.getFileName().toString()).endsWith("-start.jsa.seen"));
    }

    @Test
    void whereTheCacheCannotBeWrittenItRunsWithoutAnArchive() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("cache-is-a-file"), "");

        Run help = run(Map.of("SIGIL_AGENT_CACHE", notADirectory.resolve("sigil-agent").toString()), "--help");

        assertThat(help.exitCode).isZero();
        assertThat(help.stdout).contains("Usage: sigil-agent");
        assertThat(help.stderr).isEmpty();
    }

    @Test
    void withoutJava17ItSaysWhatIsMissing() throws Exception {
        Run noJava = run(Map.of("JAVA_HOME", dir.resolve("no-such-jdk").toString()), "--help");
        assertThat(noJava.exitCode).isEqualTo(1);
        assertThat(noJava.stderr).startsWith("sigil-agent: JAVA_HOME is ").contains("Java 17 or newer");

        Path old = Files.createDirectories(dir.resolve("jdk-11/bin"));
        Files.writeString(old.resolveSibling("release"), "JAVA_VERSION=\"11.0.2\"\n");
        Path java = Files.writeString(old.resolve("java"), "#!/bin/sh\necho 'Hello from Java 11' \n");
        java.toFile().setExecutable(true);
        Run oldJava = run(Map.of("JAVA_HOME", old.getParent().toString()), "--help");
        assertThat(oldJava.exitCode).isEqualTo(1);
        assertThat(oldJava.stdout).doesNotContain("Hello");
        assertThat(oldJava.stderr).startsWith("sigil-agent: ").contains("is Java 11.0.2").contains("needs Java 17 or newer");
    }

    private List<Path> archives() throws IOException {
        return files(cache).stream().filter(f -> f.getFileName().toString().endsWith(".jsa")).toList();
    }

    private static List<Path> files(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.sorted().toList();
        }
    }

    private Run run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile());
        Map<String, String> environment = pb.environment();
        environment.clear();
        Map<String, String> base = new HashMap<>(Map.of("PATH", System.getenv("PATH"), "HOME", dir.toString(), "JAVA_HOME",
                System.getProperty("java.home"), "SIGIL_AGENT_CACHE", cache.toString()));
        base.putAll(env);
        environment.putAll(base);
        Process p = pb.start();
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("sigil-agent " + String.join(" ", args) + " still running after 60 s");
        }
        return new Run(p.exitValue(), stdout.get(), stderr.get());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private record Run(int exitCode, String stdout, String stderr) {
    }
}
