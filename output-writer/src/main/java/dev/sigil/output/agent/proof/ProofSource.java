package dev.sigil.output.agent.proof;

import java.io.IOException;

import dev.sigil.output.agent.JoinClient;

/**
 * How a bot proves itself when it joins, one implementation per join method: asks its platform (an ID-token
 * endpoint, a metadata server, an environment variable, a file, a key in storage) for the proof of one join. Called
 * again for every join, because platform tokens are single-use and rotate.
 */
public interface ProofSource {

    /** The proof fields of one join, fetched fresh; {@code challenges} gives a fresh Sigil challenge to sign. */
    JoinProof prove(Challenges challenges)
            throws IOException, InterruptedException, JoinClient.JoinRefusedException, ProofUnavailableException;

    /** Whether the bot keeps its identity fresh by renewing it (token, bound_keypair) rather than joining again. */
    default boolean renewsWithIdentity() {
        return false;
    }

    /**
     * Whether the bot can join again by itself once its identity has expired: a platform hands out fresh tokens,
     * a bound key may recover; a one-time join token cannot.
     */
    default boolean joinsAgain() {
        return true;
    }

    /** Where a fresh challenge comes from: join-service's {@code POST /v1/join/challenge}. */
    @FunctionalInterface
    interface Challenges {
        String fresh() throws IOException, InterruptedException, JoinClient.JoinRefusedException;
    }
}
