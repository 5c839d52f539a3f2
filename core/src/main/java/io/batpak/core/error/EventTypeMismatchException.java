package io.batpak.core.error;

import io.batpak.core.EventKind;
import io.batpak.core.EventType;

/** A typed read asked for an {@link EventType} class whose kind is not the stored event's kind. */
public final class EventTypeMismatchException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final EventKind storedKind;
    private final Class<?> type;

    public EventTypeMismatchException(EventKind storedKind, Class<?> type, EventKind typeKind) {
        super("cannot read an event of kind " + storedKind + " as " + type.getName() + ", which is event type "
                + typeKind);
        this.storedKind = storedKind;
        this.type = type;
    }

    public EventKind storedKind() {
        return storedKind;
    }

    public Class<?> type() {
        return type;
    }

    /** {@link Category#INVALID_INPUT}. */
    @Override
    public Category category() {
        return Category.INVALID_INPUT;
    }
}
