package io.batpak.core.error;

import io.batpak.core.EventKind;

/** {@link EventKind#of(int, int)} was given a category or type outside its bit width. */
public final class InvalidEventKindException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    public InvalidEventKindException(String message) {
        super("kind", message);
    }
}
