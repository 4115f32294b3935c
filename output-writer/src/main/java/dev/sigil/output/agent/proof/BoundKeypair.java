package dev.sigil.output.agent.proof;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import dev.sigil.output.destination.DirectoryDestination;
import dev.sigil.output.destination.OutputFile;
import dev.sigil.output.keys.HolderKey;

/**
 * The {@code bound_keypair} proof: the Ed25519 key whose public half an admin bound to the join token
 * ({@code config.public_key}). The agent makes the key on its first run and keeps it in its storage directory (0600,
 * OpenSSH format, so {@code ssh-keygen -y -f} reads it), or uses a key it is given. It proves possession by signing
 * a fresh Sigil challenge: the first join registers the bot, and after an outage that let its identity expire a
 * join with the same key recovers it (as often as the token's {@code recovery_limit} allows). The key never leaves.
 */
public final class BoundKeypair {
    /** The key's file name in the agent's storage directory; its public half is beside it as {@code .pub}. */
    public static final String KEY_FILE = "bound_keypair";
    private static final Set<PosixFilePermission> OWNER_ONLY = Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private final HolderKey key;
    private final Path file;
    private final boolean created;

    private BoundKeypair(HolderKey key, Path file, boolean created) {
        this.key = key;
        this.file = file;
        this.created = created;
    }

    /**
     * The key in {@code file}, made there first if there is none yet; a newly made key's public half is printed to
     * {@code out} with what an admin does with it. A key file others can read is refused, as ssh refuses one.
     */
    public static BoundKeypair loadOrCreate(Path file, PrintStream out) throws IOException {
        file = file.toAbsolutePath().normalize();
        if (Files.exists(file)) {
            return load(file);
        }
        HolderKey key = HolderKey.generate();
        new DirectoryDestination(file.getParent()).write(List.of(
                new OutputFile(file.getFileName().toString(), key.openSshPrivateKey(), true),
                new OutputFile(file.getFileName() + ".pub", key.publicKeyLine() + "\n", false)));
        BoundKeypair made = new BoundKeypair(key, file, true);
        out.println(made.registrationNotice());
        return made;
    }

    /** A key someone made, e.g. with {@code ssh-keygen -t ed25519 -N ''}; never created. */
    public static BoundKeypair load(Path file) throws IOException {
        file = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new IOException("the bound key " + file + " does not exist");
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (!OWNER_ONLY.containsAll(permissions)) {
            throw new IOException("the bound key " + file + " can be read by others (" + java.nio.file.attribute.PosixFilePermissions
                    .toString(permissions) + "); chmod 600 it");
        }
        try {
            return new BoundKeypair(HolderKey.read(Files.readString(file)), file, false);
        } catch (IllegalArgumentException e) {
            throw new IOException("the bound key " + file + " is " + e.getMessage(), e);
        }
    }

    /** The public key in OpenSSH form: what goes into the join token's {@code public_key}. */
    public String publicKeyLine() {
        return key.publicKeyLine();
    }

    /** Whether this run made the key (so no join token can name it yet unless the admin was quick). */
    public boolean created() {
        return created;
    }

    public Path file() {
        return file;
    }

    /** The base64 Ed25519 signature of the challenge's UTF-8 bytes, as join-service checks it. */
    public String sign(String challenge) {
        return Base64.getEncoder().encodeToString(key.sign(challenge.getBytes(StandardCharsets.UTF_8)));
    }

    /** What an admin does with a new key: bind it to a join token for the bot. */
    public String registrationNotice() {
        return "Bound key pair: made a new key in " + file + ". Its public key, for the join token's config.public_key:\n"
                + "  " + publicKeyLine() + "\n"
                + "An admin binds it with POST /v1/admin/tokens {\"name\": \"<token>\", \"bot\": \"<bot>\", \"joinMethod\": "
                + "\"bound_keypair\", \"config\": {\"public_key\": \"" + publicKeyLine() + "\", \"recovery_limit\": \"1\"}}";
    }
}
