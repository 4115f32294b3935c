package dev.sigil.output.destination;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Writes an output's files into a directory. Each file is written to a temporary file created with its final
 * permissions (keys 0600, certificates 0644) and renamed over the old one, so a reader never sees half a file.
 * A symlink at or inside the destination is refused: it could point the keys somewhere an attacker reads.
 * Readers ({@code user:name} or {@code group:name}) are granted read access with POSIX ACLs, so a workload running
 * as another user can read the keys without them being world-readable.
 */
public final class DirectoryDestination implements Destination {
    private static final Pattern READER = Pattern.compile("(user|group):[a-z_][a-z0-9_.-]*\\$?");

    private final Path directory;
    private final List<String> readers;

    public DirectoryDestination(Path directory) {
        this(directory, List.of());
    }

    public DirectoryDestination(Path directory, List<String> readers) {
        this.directory = directory.toAbsolutePath().normalize();
        this.readers = readers == null ? List.of() : List.copyOf(readers);
        for (String reader : this.readers) {
            if (!isReader(reader)) {
                throw new IllegalArgumentException("reader '" + reader + "' must look like user:<name> or group:<name>");
            }
        }
    }

    /** {@code user:<name>} or {@code group:<name>} as setfacl takes it. */
    public static boolean isReader(String reader) {
        return reader != null && READER.matcher(reader).matches();
    }

    public Path directory() {
        return directory;
    }

    @Override
    public String describe() {
        return directory.toString();
    }

    @Override
    public void write(List<OutputFile> files) throws IOException {
        prepare(directory);
        for (OutputFile file : files) {
            Path target = resolve(file.name());
            prepare(target.getParent());
            if (Files.isSymbolicLink(target)) {
                throw new DestinationException(target + " is a symbolic link; remove it, Sigil does not write through links");
            }
            Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString(file.secret() ? "rw-------" : "rw-r--r--")));
            } catch (FileAlreadyExistsException e) {
                throw new DestinationException("temporary file " + tmp + " already exists");
            }
            try {
                Files.writeString(tmp, file.content(), StandardCharsets.UTF_8);
                grantReaders(tmp, "r");
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Removes the named files, then every directory they leave empty up to and including the destination. */
    @Override
    public void remove(Collection<String> names) throws IOException {
        if (Files.isSymbolicLink(directory) || !Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> parents = new ArrayList<>();
        for (String name : names) {
            Path target = resolve(name);
            Files.deleteIfExists(target);
            for (Path p = target.getParent(); p != null && p.startsWith(directory); p = p.getParent()) {
                parents.add(p);
            }
        }
        parents.stream().distinct().sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
            try (var left = Files.list(p)) {
                if (left.findAny().isEmpty()) {
                    Files.delete(p);
                }
            } catch (IOException e) {
                // Something else lives there: leave the directory.
            }
        });
    }

    /** An output file's path: a relative name whose every part is a plain name, so it stays inside. */
    private Path resolve(String name) throws DestinationException {
        if (name == null || name.isBlank() || name.startsWith("/")) {
            throw new DestinationException("refusing output file name '" + name + "'");
        }
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new DestinationException("refusing output file name '" + name + "': it must stay inside " + directory);
            }
        }
        return directory.resolve(name);
    }

    private void prepare(Path dir) throws IOException {
        for (Path p = directory; ; p = p.resolve(dir.getName(p.getNameCount()).toString())) {
            if (Files.isSymbolicLink(p)) {
                throw new DestinationException(p + " is a symbolic link; give the real directory as the destination");
            }
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                grantReaders(p, "rx");
            } else if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new DestinationException(p + " exists and is not a directory");
            }
            if (p.equals(dir)) {
                return;
            }
        }
    }

    private void grantReaders(Path path, String permissions) throws IOException {
        if (readers.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("setfacl"));
        for (String reader : readers) {
            command.add("-m");
            command.add(reader.replaceFirst("^user:", "u:").replaceFirst("^group:", "g:") + ":" + permissions);
        }
        command.add(path.toString());
        Process setfacl;
        try {
            setfacl = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new DestinationException("readers " + readers + " need POSIX ACLs, but setfacl is not installed "
                    + "(apt-get install acl)");
        }
        try {
            String output = new String(setfacl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!setfacl.waitFor(30, TimeUnit.SECONDS) || setfacl.exitValue() != 0) {
                throw new DestinationException("could not grant " + readers + " read access to " + path + ": " + output
                        + (output.contains("not supported") ? " (mount the filesystem with ACL support or drop the readers)" : ""));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DestinationException("interrupted while granting readers access to " + path);
        }
    }

    /** A destination Sigil refuses to write, with the reason. */
    public static class DestinationException extends IOException {
        public DestinationException(String message) {
            super(message);
        }
    }
}
