package io.batpak.core.internal.segment;

/**
 * Where a scan over consecutive frames stands in an atomic group (a batch written as frames at positions
 * {@code 0 .. count-1}, all with the same {@code batchCount}; a single event has {@code batchCount} 1). The one
 * state machine of recovery and verification: {@link #check} says whether the next frame may follow,
 * {@link #accept} moves past it. Not thread-safe: one per scan.
 */
public final class AtomicGroup {
    private long start = -1;
    private long count;
    private long next;

    /** Why a frame at {@code index} of {@code batchCount} cannot come next, or null when it can. */
    public String check(long index, long batchCount) {
        if (start >= 0) {
            if (batchCount != count || index != next) {
                return "atomic group of " + count + " frames interrupted at item " + next + " by a frame at position "
                        + index + "/" + batchCount;
            }
        } else if (batchCount > 1 && index != 0) {
            return "frame at position " + index + "/" + batchCount + " of an atomic group without its start";
        }
        return null;
    }

    /** Moves past a frame (already {@link #check checked}) that starts at {@code position}. */
    public void accept(long position, long index, long batchCount) {
        if (batchCount <= 1) {
            return;
        }
        if (index == 0) {
            start = position;
            count = batchCount;
        }
        next = index + 1;
        if (next == count) {
            start = -1;
        }
    }

    /** Whether the scan is inside a group (a frame of it was accepted, its last one not yet). */
    public boolean open() {
        return start >= 0;
    }

    /** Position of the first frame of the open group, -1 when none is open. */
    public long start() {
        return start;
    }

    /** What is wrong when the frames end inside a group. */
    public String unfinished() {
        return "atomic group of " + count + " frames ends after " + next + " frames";
    }
}
