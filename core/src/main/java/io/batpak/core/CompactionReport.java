package io.batpak.core;

/**
 * What a compaction did.
 *
 * @param segmentsRewritten sealed segments that were rewritten (a segment the plan leaves unchanged is not)
 * @param segmentsExamined  sealed segments the compaction read
 * @param bytesBefore       size of the rewritten segments before
 * @param bytesAfter        size of their rewrites
 * @param eventsRemoved     events removed
 * @param payloadsErased    payloads whose bytes were erased (redacted events)
 * @param millis            wall time of the compaction
 */
public record CompactionReport(int segmentsRewritten, int segmentsExamined, long bytesBefore, long bytesAfter,
                               long eventsRemoved, long payloadsErased, long millis) {
    /** Bytes returned to the file system. */
    public long bytesReclaimed() {
        return bytesBefore - bytesAfter;
    }
}
