package io.batpak.core;

/**
 * Global sequences {@code from..to} (both inclusive) whose events compaction removed: a reader positioned before
 * {@code from} can no longer read them, and resumes at the next surviving event after {@code to}.
 *
 * @param from first removed global sequence
 * @param to   last removed global sequence, at least {@code from}
 */
public record RemovedRange(long from, long to) {
    public RemovedRange {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("bad removed range " + from + ".." + to);
        }
    }

    /** Events in the range. */
    public long count() {
        return to - from + 1;
    }
}
