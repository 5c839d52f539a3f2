package io.batpak.core.error;

/** A read was given an invalid argument (null region or entity, negative position or limit); names the argument. */
public final class InvalidQueryException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    public InvalidQueryException(String message) {
        super("query", message);
    }
}
