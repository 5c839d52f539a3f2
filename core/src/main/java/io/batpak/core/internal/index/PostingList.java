package io.batpak.core.internal.index;

/**
 * A growable, increasing list of global sequences (one int each): the events of one entity, scope or kind in
 * commit order. One writer thread appends; any thread reads. A reader that read {@link #count()} sees every
 * element below it (the array is published before the count).
 */
public final class PostingList {
    private static final int INITIAL_CAPACITY = 4;

    private volatile int[] values;
    private volatile int count;

    PostingList(int capacity) {
        this.values = new int[Math.max(INITIAL_CAPACITY, capacity)];
    }

    /** Elements appended so far (visible or about to be published). */
    public int count() {
        return count;
    }

    /** The element at {@code position} ({@code position < count()}). */
    public int get(int position) {
        return values[position];
    }

    /**
     * The first position whose global sequence is greater than {@code after}, among the first {@code limit}
     * elements ({@code limit} if there is none).
     */
    public int firstAfter(long after, int limit) {
        int[] v = values;
        int lo = 0;
        int hi = limit;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (v[mid] <= after) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The position of {@code globalSequence}, or -1 when it is not in the list. */
    public int positionOf(long globalSequence) {
        int n = count;
        int p = firstAfter(globalSequence - 1, n);
        return p < n && values[p] == globalSequence ? p : -1;
    }

    /** Makes room for {@code capacity} elements in total (bulk restore: no growth slack). */
    void ensureCapacity(int capacity) {
        int[] v = values;
        if (capacity > v.length) {
            int[] grown = new int[capacity];
            System.arraycopy(v, 0, grown, 0, count);
            values = grown;
        }
    }

    void append(int globalSequence) {
        int n = count;
        int[] v = values;
        if (n == v.length) {
            int[] grown = new int[Math.max(INITIAL_CAPACITY, n + (n >> 1))];
            System.arraycopy(v, 0, grown, 0, n);
            values = grown;
            v = grown;
        }
        v[n] = globalSequence;
        count = n + 1;
    }
}
