package dev.sigil.contract;

/** A record or request body that is not the event it claims to be; the message says what is wrong with it. */
public class MalformedEventException extends RuntimeException {
    public MalformedEventException(String message) {
        super(message);
    }
}
