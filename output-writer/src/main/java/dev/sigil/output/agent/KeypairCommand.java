package dev.sigil.output.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.sigil.output.agent.proof.BoundKeypair;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sigil-agent keypair create} (as tbot's): makes the bound_keypair key in the agent's storage before its first
 * run, or shows the one there, and prints the public key an admin binds to the join token. Nothing is sent anywhere.
 */
@Command(name = "keypair", mixinStandardHelpOptions = true, subcommands = KeypairCommand.Create.class,
        description = "The key of join method bound_keypair, kept in the agent's storage.")
final class KeypairCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Make the bound_keypair key in --storage (an "
            + "existing key is kept) and print its public key, for the join token's config.public_key. Then run "
            + "`sigil-agent start --join-method bound_keypair --token <name> --storage <dir>`.")
    static final class Create implements Callable<Integer> {
        @Option(names = "--storage", required = true, description = "The directory the agent keeps its identity and key in "
                + "(the same --storage as for start).")
        Path storage;

        @Override
        public Integer call() {
            try {
                BoundKeypair key = BoundKeypair.loadOrCreate(storage.resolve(BoundKeypair.KEY_FILE), System.out);
                if (!key.created()) {
                    System.out.println("Bound key pair: kept the key in " + key.file() + ". Its public key, for the join "
                            + "token's config.public_key:\n  " + key.publicKeyLine());
                }
                return 0;
            } catch (IOException e) {
                System.err.println("sigil-agent: " + e.getMessage());
                return 1;
            }
        }
    }
}
