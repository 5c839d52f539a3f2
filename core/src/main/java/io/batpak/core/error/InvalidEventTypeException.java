package io.batpak.core.error;

import io.batpak.core.EventType;
import io.batpak.core.Upcaster;

/**
 * A class used as a typed event is not one: it lacks {@link EventType}, or its annotation names a reserved category,
 * an out-of-range type or a version outside 1..65535; or an {@link Upcaster} registration is invalid (a source
 * version below 1, not below the type's version, or a step registered twice).
 */
public final class InvalidEventTypeException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    public InvalidEventTypeException(String message) {
        super("type", message);
    }
}
