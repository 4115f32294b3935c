package dev.sigil.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Sigil's images (built by {@code deploy/containers/build}) run with podman, each container on the host's network
 * under a name unique to this run, so that {@link LocalCluster} can start the broker and the services as containers
 * with the same ports, bus identities and settings it gives processes.
 */
public final class Containers {
    /** The user every Sigil image runs as; mounted directories are handed to it ({@code :U}). */
    public static final int USER = 10001;

    private final Path root;
    private final String version;
    private final String prefix = "sigil-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    private final Set<String> started = ConcurrentHashMap.newKeySet();

    /** The images of {@code version} (the project's, e.g. 0.1.0-SNAPSHOT) built from the source tree at {@code root}. */
    public Containers(Path root, String version) {
        this.root = root.toAbsolutePath().normalize();
        this.version = version;
    }

    /**
     * Why podman cannot run Sigil's containers here, if it cannot: podman, runc and mmdebstrap need root on this kind
     * of machine (no rootless user namespaces or cgroup delegation are set up).
     */
    public static Optional<String> unavailable() {
        try {
            if ((int) Files.getAttribute(Path.of("/proc/self"), "unix:uid") != 0) {
                return Optional.of("podman runs Sigil's containers only as root here (rootful podman with runc); not root");
            }
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.of("cannot tell whether this is root: " + e);
        }
        return Optional.empty();
    }

    /** The project version in the source tree's root pom.xml: the tag deploy/containers/build gives the images. */
    public static String projectVersion(Path root) {
        try {
            java.util.regex.Matcher version = java.util.regex.Pattern.compile("(?m)^  <version>([^<]+)</version>$")
                    .matcher(Files.readString(root.resolve("pom.xml"), StandardCharsets.UTF_8));
            if (!version.find()) {
                throw new IllegalStateException("no project version in " + root.resolve("pom.xml"));
            }
            return version.group(1);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code localhost/sigil/<name>:<version>}, as deploy/containers/build tags it. */
    public String image(String name) {
        return "localhost/sigil/" + name + ":" + version;
    }

    /** Builds every image (and the base image if missing) from the packaged modules; its output goes to {@code log}. */
    public void build(Path log) throws IOException, InterruptedException {
        for (String tool : List.of("podman", "runc", "mmdebstrap")) {
            if (java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                    .noneMatch(dir -> Files.isExecutable(Path.of(dir, tool)))) {
                throw new IllegalStateException(tool + " is not installed: apt-get install -y podman runc mmdebstrap");
            }
        }
        Process p = new ProcessBuilder(root.resolve("deploy/containers/build").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("deploy/containers/build failed: " + Files.readString(log, StandardCharsets.UTF_8));
        }
    }

    /** The podman command with the runtime and settings that work on this machine kind (runc, no default ulimits). */
    public List<String> podman(String... args) {
        List<String> command = new ArrayList<>(List.of("podman", "--runtime", "runc"));
        command.addAll(List.of(args));
        return command;
    }

    /** A process builder for {@link #podman}, with {@code CONTAINERS_CONF} pointing at deploy/containers/containers.conf. */
    public ProcessBuilder processBuilder(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("CONTAINERS_CONF", root.resolve("deploy/containers/containers.conf").toString());
        return builder;
    }

    /**
     * {@code podman run} in the foreground (SIGTERM to it reaches the container's JVM) of {@code image} named
     * {@code name} (made unique to this run): each of {@code mounts} at the same path inside, handed to the image's
     * user, read-only where the map says so; {@code env} passed by name, so secrets never appear on a command line.
     * The image's own file system is read-only with no writable /tmp, as deploy/k8s runs it
     * ({@code readOnlyRootFilesystem}).
     */
    public ProcessBuilder run(String name, String image, Map<Path, Boolean> mounts, Map<String, String> env, List<String> args) {
        String container = prefix + name;
        started.add(container);
        List<String> command = podman("run", "--rm", "--name", container, "--network", "host", "--pull=never",
                "--read-only", "--read-only-tmpfs=false");
        mounts.forEach((path, readOnly) -> command.addAll(List.of("-v", path + ":" + path + (readOnly ? ":ro,U" : ":U"))));
        env.keySet().forEach(key -> command.addAll(List.of("-e", key)));
        command.add(image(image));
        command.addAll(args);
        ProcessBuilder builder = processBuilder(command);
        builder.environment().putAll(env);
        return builder;
    }

    /** The full name of this run's container {@code name}. */
    public String container(String name) {
        return prefix + name;
    }

    /** Removes a container at once (a crash, as {@code kill -9} would be for a process); no error if it is gone. */
    public void remove(String name) throws IOException, InterruptedException {
        String container = prefix + name;
        Process p = processBuilder(podman("rm", "--force", "--ignore", "--time", "0", container))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor(60, TimeUnit.SECONDS);
        started.remove(container);
    }

    /** Removes every container this run started that is still there, at once (no orderly stop). */
    public void removeAll() {
        if (started.isEmpty()) {
            return;
        }
        List<String> command = podman("rm", "--force", "--ignore", "--time", "0");
        command.addAll(started);
        try {
            Process p = processBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor(60, TimeUnit.SECONDS);
            started.clear();
        } catch (IOException e) {
            // best effort: the next run's names differ
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
