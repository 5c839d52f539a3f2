package io.batpak.core;

/**
 * A point-in-time view of store counters. Counters cover the lifetime of this open store unless noted.
 *
 * @param events               events visible in the store (all of them, not only this session's)
 * @param bytes                total bytes of all segment files
 * @param segments             number of segment files
 * @param appends              events committed by this open store (batch items count one each)
 * @param fsyncs               forces of segment data issued by this open store
 * @param groupCommits         group commits (writes of one or more appends) done by this open store
 * @param averageGroupCommitSize appends per group commit (0 when none)
 * @param queueDepth           appends accepted but not yet acknowledged or failed
 * @param failedAppends        appends failed by I/O errors in this open store
 * @param truncatedTailBytes   bytes of torn tail cut from the newest segment when this store opened
 * @param repairDroppedBytes   bytes dropped by {@code repair} when this store opened (truncated or quarantined)
 * @param openedFromCheckpoint whether this open loaded the index checkpoint (false: full scan)
 * @param openMillis           milliseconds the open (recovery) took
 * @param openScannedEvents    events the open read from segment files (those after the index checkpoint it loaded,
 *                             or all of them after a full scan)
 * @param checkpoints          index checkpoints written by this open store (periodic ones and the one of close)
 * @param failed               whether the store is in the failed state (appends refused, reads served)
 */
public record StoreStats(long events, long bytes, int segments, long appends, long fsyncs, long groupCommits,
                         double averageGroupCommitSize, long queueDepth, long failedAppends,
                         long truncatedTailBytes, long repairDroppedBytes, boolean openedFromCheckpoint,
                         long openMillis, long openScannedEvents, long checkpoints, boolean failed) {
}
