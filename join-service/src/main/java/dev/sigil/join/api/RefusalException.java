package dev.sigil.join.api;

import dev.sigil.contract.Refusal;

/** A request join-service refuses: becomes an HTTP error whose JSON body is the {@link Refusal}. */
public class RefusalException extends RuntimeException {
    private final Refusal refusal;
    private final int status;

    public RefusalException(int status, String code, String message) {
        this(status, new Refusal(code, message));
    }

    public RefusalException(int status, Refusal refusal) {
        super(refusal.code() + ": " + refusal.message(), null, false, false);
        this.refusal = refusal;
        this.status = status;
    }

    public Refusal refusal() {
        return refusal;
    }

    public int status() {
        return status;
    }
}
