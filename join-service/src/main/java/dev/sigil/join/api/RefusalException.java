package dev.sigil.join.api;

import dev.sigil.contract.Refusal;

/** A request join-service refuses: becomes an HTTP error whose JSON body is the {@link Refusal}. */
public class RefusalException extends RuntimeException {
    private final Refusal refusal;
    private final int status;
    private final long retryAfterSeconds;

    public RefusalException(int status, String code, String message) {
        this(status, new Refusal(code, message));
    }

    public RefusalException(int status, String code, String message, long retryAfterSeconds) {
        this(status, new Refusal(code, message), retryAfterSeconds);
    }

    public RefusalException(int status, Refusal refusal) {
        this(status, refusal, status == 503 ? 1 : 0);
    }

    private RefusalException(int status, Refusal refusal, long retryAfterSeconds) {
        super(refusal.code() + ": " + refusal.message(), null, false, false);
        this.refusal = refusal;
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Seconds the caller should wait before retrying, or 0 when a retry will not help. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public Refusal refusal() {
        return refusal;
    }

    public int status() {
        return status;
    }
}
