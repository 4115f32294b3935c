package dev.sigil.join.joinmethod;

import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.join.api.RefusalException;

/**
 * One way a bot proves who it is. Each method checks its own proof against the join token's allow rules and either
 * vouches for a bot or refuses with a reason code.
 */
public interface JoinMethod {
    /** The name used in join tokens and join requests, e.g. {@code token} or {@code github}. */
    String name();

    VerifiedJoin verify(JoinRequest request) throws RefusalException;

    /** Refuses a join token this method could never honour (unknown allow-rule fields, missing settings). */
    default void checkToken(JoinTokenSpec token) throws RefusalException {
    }
}
