package io.batpak.persistence;

import io.batpak.core.error.StoreException;

/**
 * Thrown when a stored snapshot record fails its CRC32C check or has an unknown layout. The damaged snapshot is
 * never served: loading fails with this exception, naming the persistence id and sequence number, and Pekko
 * falls back to an older snapshot only if the user deletes the damaged one.
 */
public final class CorruptSnapshotException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final String persistenceId;
    private final long sequenceNr;

    public CorruptSnapshotException(String persistenceId, long sequenceNr, String reason) {
        super("snapshot of " + persistenceId + " at sequence number " + sequenceNr + " is damaged: " + reason);
        this.persistenceId = persistenceId;
        this.sequenceNr = sequenceNr;
    }

    /** The persistence id of the damaged snapshot. */
    public String persistenceId() {
        return persistenceId;
    }

    /** Its sequence number. */
    public long sequenceNr() {
        return sequenceNr;
    }

    /** {@link Category#CORRUPTION}. */
    @Override
    public Category category() {
        return Category.CORRUPTION;
    }
}
