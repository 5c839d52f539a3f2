package io.batpak.streams;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * The offset of one event emitted by a committable cursor: committing it records that this event and every
 * earlier event of the cursor have been processed (see {@link CursorControl} for the exact semantics). Commit in
 * batches with {@link Committer}; committing each offset alone costs one file write and force each. Immutable.
 */
public final class CommittableOffset {
    private final CursorControl cursor;
    private final long globalSequence;

    CommittableOffset(CursorControl cursor, long globalSequence) {
        this.cursor = cursor;
        this.globalSequence = globalSequence;
    }

    /** The event's global sequence. */
    public long globalSequence() {
        return globalSequence;
    }

    /** The cursor the offset belongs to. */
    public CursorControl cursor() {
        return cursor;
    }

    /** Commits this offset now; see {@link CursorControl#commit(long)}. */
    public CompletionStage<Done> commit() {
        return cursor.commit(globalSequence);
    }

    @Override
    public String toString() {
        return "CommittableOffset[" + cursor.checkpointId().orElse("?") + "@" + globalSequence + "]";
    }
}
