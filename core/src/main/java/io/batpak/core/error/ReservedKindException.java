package io.batpak.core.error;

import io.batpak.core.EventKind;

/** A user append used an {@link EventKind} whose category (0x0 system, 0xD effects) is reserved for the store. */
public final class ReservedKindException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    public ReservedKindException(EventKind kind) {
        super("kind", "event kind " + kind + " is in reserved category 0x" + Integer.toHexString(kind.category()).toUpperCase()
                + " (0x0 system and 0xD effects are reserved for the store)");
    }
}
