package io.batpak.core.error;

/** An append request was malformed (null field, empty batch, batch too large, bad option value). */
public final class InvalidAppendException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    public InvalidAppendException(String message) {
        super("append", message);
    }
}
