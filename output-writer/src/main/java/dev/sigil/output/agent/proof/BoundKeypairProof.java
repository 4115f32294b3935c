package dev.sigil.output.agent.proof;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

import dev.sigil.output.agent.JoinClient;

/**
 * Method {@code bound_keypair}: a fresh Sigil challenge signed with the bound key kept in the agent's storage (made
 * there on the first run, its public key printed for the admin who binds it to the join token). The bot renews with
 * its identity while it holds one; when an outage let it expire, it joins again with the same key, which the issuer
 * counts as a recovery against the token's {@code recovery_limit}.
 */
final class BoundKeypairProof implements ProofSource {
    private final Path keyFile;
    private final PrintStream out;
    private BoundKeypair key;

    BoundKeypairProof(Path storage, PrintStream out) {
        if (storage == null) {
            throw new IllegalArgumentException("join method bound_keypair keeps its key in the storage directory: give --storage "
                    + "(or --destination, or storage: {type: directory, path: ...} in the config); to use a key you made, put it "
                    + "there as " + BoundKeypair.KEY_FILE + " (ssh-keygen -t ed25519 -N '' -f <storage>/" + BoundKeypair.KEY_FILE + ")");
        }
        this.keyFile = storage.resolve(BoundKeypair.KEY_FILE);
        this.out = out;
    }

    @Override
    public JoinProof prove(Challenges challenges)
            throws IOException, InterruptedException, JoinClient.JoinRefusedException, ProofUnavailableException {
        if (key == null) {
            key = BoundKeypair.loadOrCreate(keyFile, out);
        }
        String challenge = challenges.fresh();
        return JoinProof.signedChallenge(challenge, key.sign(challenge));
    }

    @Override
    public boolean renewsWithIdentity() {
        return true;
    }

    @Override
    public boolean joinsAgain() {
        return true;
    }
}
