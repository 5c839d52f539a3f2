package io.batpak.streams;

import io.batpak.core.RemovedRange;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * The materialized value of a cursor: its position, its checkpoint and a way to stop it. Thread-safe.
 *
 * <p><b>Commit semantics.</b> {@link #commit(long)} records that every event of the cursor's region up to and
 * including that global sequence has been processed. The checkpoint file is replaced atomically and forced
 * before the returned stage completes. A cursor started later with the same checkpoint id (and the same region)
 * emits exactly the events after the committed position. Events processed but not committed before a crash are
 * emitted again: delivery is at-least-once across restarts, and exactly-once, in global order, within one run.
 * Commits are monotonic: committing a position at or below the committed one completes at once and changes
 * nothing.
 */
public interface CursorControl {

    /** The checkpoint id, when the cursor has one. */
    Optional<String> checkpointId();

    /** Global sequence of the last event emitted downstream; the start position before the first. */
    long position();

    /** The durable committed position (-1 when nothing is committed or the cursor has no checkpoint). */
    long committed();

    /**
     * The global sequences right after the cursor's start position (its checkpoint, or a {@code startAfter} of 0 or
     * more) that compaction had removed when the cursor started: it could not deliver the events of its region among
     * them and resumed at the next surviving event. The range is store-wide (a removed event no longer says which
     * region it was in), so it may also cover events of other regions. Empty when the next event after the start
     * position was there, none followed yet, or the cursor started from the beginning. Known once the cursor's first
     * read ran; a removed range is also logged at INFO when it is found.
     */
    Optional<RemovedRange> removedOnResume();

    /** Events read from the index and not yet emitted; never more than the batch size. */
    int buffered();

    /**
     * Commits {@code globalSequence} (see the class comment).
     *
     * @return completes once the checkpoint is durable; fails with {@link IllegalStateException} when the cursor has
     *         no checkpoint, {@link io.batpak.core.error.InvalidInputException} when the position was not yet emitted,
     *         {@link io.batpak.core.error.CheckpointIoException} when the file cannot be written, or
     *         {@link io.batpak.core.error.CheckpointInUseException} when the cursor stopped and another cursor now owns
     *         the checkpoint
     */
    CompletionStage<Done> commit(long globalSequence);

    /** Completes the stream: no further event is emitted. Commits already requested still complete. */
    void shutdown();

    /** Completes when the stream has stopped (completed, failed or cancelled) and pending commits are written. */
    CompletionStage<Done> whenStopped();
}
