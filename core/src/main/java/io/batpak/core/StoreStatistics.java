package io.batpak.core;

import java.time.Instant;
import java.util.List;

/**
 * What a store holds, as {@link StoreReader#statistics()} found it.
 *
 * @param storeId the store's id (its {@code store.id} file)
 * @param formatVersion the segment format version the store writes
 * @param segments segment files
 * @param segmentBytes bytes in segment files
 * @param events stored events (visible, not removed by compaction; system records included)
 * @param removedEvents events compaction removed (their global sequences are never reused)
 * @param redactedEvents events whose payloads are redacted
 * @param entities entities with at least one visible event
 * @param tags tags on at least one visible event
 * @param firstGlobalSequence global sequence of the first stored event, -1 when none
 * @param lastGlobalSequence global sequence of the last visible event (stored or removed), -1 when empty
 * @param firstEventTime commit time of the first stored event, null when none
 * @param lastEventTime commit time of the last stored event, null when none
 * @param indexCheckpointSavedAt when the index checkpoint was last written, null when there is none
 * @param cursorCheckpoints the durable cursor checkpoints, by id
 * @param diskBytes bytes of every file under the store directory
 */
public record StoreStatistics(String storeId, int formatVersion, int segments, long segmentBytes, long events,
                              long removedEvents, long redactedEvents, long entities, long tags,
                              long firstGlobalSequence, long lastGlobalSequence, Instant firstEventTime,
                              Instant lastEventTime, Instant indexCheckpointSavedAt,
                              List<CursorCheckpointInfo> cursorCheckpoints, long diskBytes) {
    public StoreStatistics {
        cursorCheckpoints = List.copyOf(cursorCheckpoints);
    }
}
