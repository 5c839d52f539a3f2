package io.batpak.persistence;

import io.batpak.core.EventId;
import io.batpak.core.error.StoreException;

/**
 * Thrown when a stored event of the journal's kind cannot be read back as a Pekko {@code PersistentRepr}: its
 * layout is truncated or of an unknown version. The frame itself passed its checks, so the bytes are as written:
 * the event was written by something other than this journal, or by a newer version of it. Nothing is served
 * from it; replay and queries fail with this exception.
 */
public final class CorruptJournalEventException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final transient EventId eventId;
    private final long globalSequence;

    public CorruptJournalEventException(EventId eventId, long globalSequence, String reason) {
        super("event " + eventId + " (global sequence " + globalSequence + ") is not a readable journal event: "
                + reason);
        this.eventId = eventId;
        this.globalSequence = globalSequence;
    }

    /** The event that could not be read. */
    public EventId eventId() {
        return eventId;
    }

    /** Its global sequence. */
    public long globalSequence() {
        return globalSequence;
    }

    /** {@link Category#CORRUPTION}. */
    @Override
    public Category category() {
        return Category.CORRUPTION;
    }
}
