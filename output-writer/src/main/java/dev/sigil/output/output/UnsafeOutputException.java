package dev.sigil.output.output;

/** An output that is not rendered, because a value in it breaks the grammar of the file it would go into. */
public final class UnsafeOutputException extends IllegalArgumentException {
    public UnsafeOutputException(String message) {
        super(message);
    }
}
