package io.batpak.core.error;

import io.batpak.core.EventKind;
import io.batpak.core.EventType;

/**
 * A stored event has a payload version newer than the version of the {@link EventType} class it is read as: this
 * build does not know that schema, so the event is refused instead of being misread.
 */
public final class FutureVersionException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final EventKind kind;
    private final int storedVersion;
    private final int knownVersion;

    public FutureVersionException(EventKind kind, int storedVersion, int knownVersion, Class<?> type) {
        super("event of kind " + kind + " has payload version " + storedVersion + ", newer than version "
                + knownVersion + " of " + type.getName() + "; it was written by a newer schema and is not misread");
        this.kind = kind;
        this.storedVersion = storedVersion;
        this.knownVersion = knownVersion;
    }

    public EventKind kind() {
        return kind;
    }

    public int storedVersion() {
        return storedVersion;
    }

    /** The version of the class the read asked for. */
    public int knownVersion() {
        return knownVersion;
    }

    /** {@link Category#INVALID_INPUT}. */
    @Override
    public Category category() {
        return Category.INVALID_INPUT;
    }
}
