package io.batpak.core.error;

import io.batpak.core.EventKind;

/** Two classes claim the same {@link EventKind}: one kind belongs to one typed event class per store. */
public final class EventTypeConflictException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final EventKind kind;
    private final Class<?> registered;
    private final Class<?> rejected;

    public EventTypeConflictException(EventKind kind, Class<?> registered, Class<?> rejected) {
        super("event kind " + kind + " is claimed by both " + registered.getName() + " and " + rejected.getName()
                + "; one kind belongs to one event type");
        this.kind = kind;
        this.registered = registered;
        this.rejected = rejected;
    }

    public EventKind kind() {
        return kind;
    }

    /** The class registered first for the kind. */
    public Class<?> registered() {
        return registered;
    }

    /** The class whose registration was refused. */
    public Class<?> rejected() {
        return rejected;
    }

    /** {@link Category#INVALID_INPUT}. */
    @Override
    public Category category() {
        return Category.INVALID_INPUT;
    }
}
