package io.batpak.core.error;

import io.batpak.core.EventKind;
import io.batpak.core.Upcaster;

/**
 * A typed read of an event stored with an older payload version needs an {@link Upcaster} step that is not
 * registered for the kind.
 */
public final class MissingUpcasterException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final EventKind kind;
    private final int fromVersion;
    private final int toVersion;

    public MissingUpcasterException(EventKind kind, int fromVersion, int toVersion, int storedVersion, Class<?> type) {
        super("no upcaster registered for event kind " + kind + " from version " + fromVersion + " to " + toVersion
                + " (reading a version " + storedVersion + " event as " + type.getName() + ")");
        this.kind = kind;
        this.fromVersion = fromVersion;
        this.toVersion = toVersion;
    }

    public EventKind kind() {
        return kind;
    }

    /** Source version of the missing step. */
    public int fromVersion() {
        return fromVersion;
    }

    /** Target version of the missing step ({@code fromVersion + 1}). */
    public int toVersion() {
        return toVersion;
    }

    /** {@link Category#INVALID_INPUT}. */
    @Override
    public Category category() {
        return Category.INVALID_INPUT;
    }
}
