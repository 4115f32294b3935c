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

    @Test
    void writesIntoSubdirectoriesAndRemovesOnlyWhatItWrote() throws Exception {
        Path out = dir.resolve("out");
        DirectoryDestination destination = new DirectoryDestination(out);
        destination.write(List.of(new OutputFile("cockroach/node.key", "k", true), new OutputFile("cockroach/ca.crt", "ca", false)));
        assertThat(Files.readString(out.resolve("cockroach/node.key"))).isEqualTo("k");
        Files.writeString(out.resolve("theirs"), "not Sigil's");

        destination.remove(List.of("cockroach/node.key", "cockroach/ca.crt"));

        assertThat(out.resolve("cockroach")).doesNotExist();
        assertThat(out.resolve("theirs")).hasContent("not Sigil's");
    }

    @Test
    void refusesFileNamesThatLeaveTheDestination() {
        DirectoryDestination destination = new DirectoryDestination(dir.resolve("out"));
        for (String name : List.of("../escape", "a/../../escape", "/etc/passwd", "a//b")) {
            assertThatThrownBy(() -> destination.write(List.of(new OutputFile(name, "x", true))))
                    .as(name).hasMessageContaining("refusing output file name");
        }
        assertThat(dir.resolve("escape")).doesNotExist();
    }

    @Test
    void refusesASymlinkPlantedInsideAsASubdirectory() throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Files.createSymbolicLink(out.resolve("cockroach"), elsewhere);

        assertThatThrownBy(() -> new DirectoryDestination(out).write(List.of(new OutputFile("cockroach/node.key", "k", true))))
                .hasMessageContaining("symbolic link");
        assertThat(elsewhere.resolve("node.key")).doesNotExist();
    }

    @Test
    void grantsReadersReadAccessThroughPosixAcls() throws Exception {
        DirectoryDestination destination = new DirectoryDestination(dir.resolve("out"), List.of("user:nobody", "group:daemon"));
        destination.write(List.of(new OutputFile("key", "secret", true)));

        String acl = new String(new ProcessBuilder("getfacl", "-p", dir.resolve("out/key").toString()).start()
                .getInputStream().readAllBytes());
        assertThat(acl).contains("user:nobody:r--").contains("group:daemon:r--").contains("other::---");
        String dirAcl = new String(new ProcessBuilder("getfacl", "-p", dir.resolve("out").toString()).start()
                .getInputStream().readAllBytes());
        assertThat(dirAcl).contains("user:nobody:r-x");
    }

    @Test
    void refusesReadersThatAreNotUsersOrGroups() {
        assertThatThrownBy(() -> new DirectoryDestination(dir, List.of("nobody; rm -rf /")))
                .hasMessageContaining("user:<name> or group:<name>");
    }
}
