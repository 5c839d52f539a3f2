package io.batpak.core.error;

import io.batpak.core.EventKind;
import io.batpak.core.Upcaster;

/**
 * An {@link Upcaster} step failed (threw or returned null), or a stored payload to upcast is not a CBOR map, or the
 * upcast tree does not bind to the current class.
 */
public final class UpcastException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final EventKind kind;
    private final int fromVersion;
    private final int toVersion;

    public UpcastException(EventKind kind, int fromVersion, int toVersion, String message, Throwable cause) {
        super("upcasting event kind " + kind + " from version " + fromVersion + " to " + toVersion + " failed: "
                + message, cause);
        this.kind = kind;
        this.fromVersion = fromVersion;
        this.toVersion = toVersion;
    }

    public EventKind kind() {
        return kind;
    }

    public int fromVersion() {
        return fromVersion;
    }

    public int toVersion() {
        return toVersion;
    }

    /** {@link Category#INVALID_INPUT}. */
    @Override
    public Category category() {
        return Category.INVALID_INPUT;
    }
}
