package dev.sigil.cli.api;

/** join-service refused a call: its status, refusal code and the sentence saying what to do. */
public final class ApiRefusal extends Exception {
    private final int status;
    private final String code;

    public ApiRefusal(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
