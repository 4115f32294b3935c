package dev.sigil.output.destination;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;

/**
 * Writes an output's files into a directory. Each file is written to a temporary file created with its final
 * permissions (keys 0600, certificates 0644) and renamed over the old one, so a reader never sees half a file.
 * A symlink at or inside the destination is refused: it could point the keys somewhere an attacker reads.
 */
public final class DirectoryDestination {
    private final Path directory;

    public DirectoryDestination(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    public Path directory() {
        return directory;
    }

    public void write(List<OutputFile> files) throws IOException {
        prepareDirectory();
        for (OutputFile file : files) {
            if (file.name().contains("/") || file.name().contains("..") || file.name().isBlank()) {
                throw new DestinationException("refusing output file name '" + file.name() + "'");
            }
            Path target = directory.resolve(file.name());
            if (Files.isSymbolicLink(target)) {
                throw new DestinationException(target + " is a symbolic link; remove it, Sigil does not write through links");
            }
            Path tmp = directory.resolve("." + file.name() + "." + UUID.randomUUID() + ".tmp");
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString(file.secret() ? "rw-------" : "rw-r--r--")));
            } catch (FileAlreadyExistsException e) {
                throw new DestinationException("temporary file " + tmp + " already exists");
            }
            try {
                Files.writeString(tmp, file.content(), StandardCharsets.UTF_8);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private void prepareDirectory() throws IOException {
        if (Files.isSymbolicLink(directory)) {
            throw new DestinationException(directory + " is a symbolic link; give the real directory as the destination");
        }
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            throw new DestinationException(directory + " exists and is not a directory");
        }
    }

    /** A destination Sigil refuses to write, with the reason. */
    public static class DestinationException extends IOException {
        public DestinationException(String message) {
            super(message);
        }
    }
}
