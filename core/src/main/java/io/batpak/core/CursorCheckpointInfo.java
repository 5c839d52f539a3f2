package io.batpak.core;

import java.time.Instant;

/**
 * A durable cursor checkpoint as found on disk ({@code <store>/cursors/<id>.ckpt}), for inspection.
 *
 * @param id the checkpoint id (the cursor's {@code checkpointId})
 * @param position global sequence of the last event the cursor processed, -1 for none yet (or when unreadable)
 * @param savedAt when it was last saved (informational), null when unreadable
 * @param regionIdentity identity of the region the cursor reads, null when unreadable
 * @param problem why the file cannot be used (damaged, newer format), null when it is fine
 */
public record CursorCheckpointInfo(String id, long position, Instant savedAt, String regionIdentity, String problem) {
    /** Global sequences between the checkpoint and {@code lastGlobalSequence} (0 when caught up or unreadable). */
    public long lag(long lastGlobalSequence) {
        return problem != null ? 0 : Math.max(0, lastGlobalSequence - position);
    }
}
