package io.batpak.core.error;

import java.nio.file.Path;

/**
 * Thrown when a cursor checkpoint's position is beyond the store's last event (for example after data loss or
 * when the checkpoint belongs to another store), so resuming would silently skip events written later.
 */
public final class CheckpointAheadOfStoreException extends CursorCheckpointException {
    private static final long serialVersionUID = 1L;
    private final long position;
    private final long lastSequence;

    public CheckpointAheadOfStoreException(Path file, long position, long lastSequence) {
        super(file, "cursor checkpoint " + file + " is at global sequence " + position
                + " but the store's last event is " + lastSequence
                + " (events were lost or the checkpoint belongs to another store); delete the checkpoint to reprocess");
        this.position = position;
        this.lastSequence = lastSequence;
    }

    /** The saved position: global sequence of the last event the cursor processed. */
    public long position() {
        return position;
    }

    /** The global sequence of the store's last event ({@code -1} for an empty store). */
    public long lastSequence() {
        return lastSequence;
    }

    /** {@link Category#CONFLICT}. */
    @Override
    public Category category() {
        return Category.CONFLICT;
    }
}
