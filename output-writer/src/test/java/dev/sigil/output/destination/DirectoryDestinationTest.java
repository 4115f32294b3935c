package dev.sigil.output.destination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryDestinationTest {
    @TempDir
    Path dir;

    @Test
    void writesKeysOwnerOnlyAndCertificatesWorldReadable() throws Exception {
        DirectoryDestination destination = new DirectoryDestination(dir.resolve("out"));
        destination.write(List.of(new OutputFile("key", "secret", true), new OutputFile("tlscert", "cert", false)));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("out/key")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("out/tlscert")))).isEqualTo("rw-r--r--");
        assertThat(Files.readString(dir.resolve("out/key"))).isEqualTo("secret");
    }

    @Test
    void replacesExistingFilesAndLeavesNoTemporaries() throws Exception {
        DirectoryDestination destination = new DirectoryDestination(dir);
        destination.write(List.of(new OutputFile("key", "old", true)));
        destination.write(List.of(new OutputFile("key", "new", true)));

        assertThat(Files.readString(dir.resolve("key"))).isEqualTo("new");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("key");
        }
    }

    @Test
    void refusesASymlinkPlantedAtAFile() throws Exception {
        Path elsewhere = Files.writeString(dir.resolve("elsewhere"), "untouched");
        Path out = Files.createDirectory(dir.resolve("out"));
        Files.createSymbolicLink(out.resolve("key"), elsewhere);

        assertThatThrownBy(() -> new DirectoryDestination(out).write(List.of(new OutputFile("key", "secret", true))))
                .hasMessageContaining("symbolic link");
        assertThat(Files.readString(elsewhere)).isEqualTo("untouched");
    }

    @Test
    void refusesADestinationThatIsASymlink() throws Exception {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);

        assertThatThrownBy(() -> new DirectoryDestination(link).write(List.of(new OutputFile("key", "s", true))))
                .hasMessageContaining("symbolic link");
        assertThat(real.resolve("key")).doesNotExist();
    }
}
