package io.batpak.core.error;

import io.batpak.core.EventId;

/**
 * The payload of an event cannot be decoded because it was erased: redacted (its bytes were removed) or shredded
 * (it was encrypted for a data subject whose key was destroyed by {@code forgetSubject}). The event itself, its
 * header, digest and place in its entity's chain, are still stored and verify.
 */
public final class PayloadUnavailableException extends StoreException {
    private static final long serialVersionUID = 1L;

    private final EventId eventId;

    public PayloadUnavailableException(EventId eventId, boolean shredded) {
        super("the payload of event " + eventId + (shredded ? " was encrypted for a forgotten subject"
                : " was redacted"));
        this.eventId = eventId;
    }

    /** The event whose payload is gone. */
    public EventId eventId() {
        return eventId;
    }

    /** {@link Category#CONFLICT}: the stored state no longer has the payload; reading again gives the same answer. */
    @Override
    public Category category() {
        return Category.CONFLICT;
    }
}
