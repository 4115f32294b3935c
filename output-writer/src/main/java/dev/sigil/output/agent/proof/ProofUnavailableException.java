package dev.sigil.output.agent.proof;

/** The platform did not give the agent a proof; the message says what to change so it does. */
public final class ProofUnavailableException extends Exception {
    public ProofUnavailableException(String message) {
        super(message);
    }

    public ProofUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
