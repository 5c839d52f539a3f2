package io.batpak.core.internal.index;

/**
 * One chunk's worth ({@link EventIndex#CHUNK_SIZE}) of int values that are usually close to each other: each held as
 * one unsigned byte above a base while it fits, and the whole column widened to ints, for good, the first time a
 * value does not. Segment ordinals change a few times per chunk and scope ids are few, so a chunk nearly always
 * stays narrow: 1 byte per row instead of 4.
 *
 * <p><b>Threading.</b> One writer thread sets values; readers get values of rows the writer published after
 * setting them (through the index's watermark). Widening copies every narrow value into the wide array before
 * publishing it, and a value set after widening is written to the wide array only, so a reader that finds the wide
 * array null reads a narrow value that is still correct for every published row.
 */
final class NarrowColumn {
    private static final int NARROW_RANGE = 0xFF;

    private final int base;
    private final byte[] narrow = new byte[EventIndex.CHUNK_SIZE];
    private volatile int[] wide;

    /** @param base the smallest value held narrow; the column holds {@code base} at every row until set */
    NarrowColumn(int base) {
        this.base = base;
    }

    int get(int i) {
        int[] w = wide;
        return w != null ? w[i] : base + (narrow[i] & NARROW_RANGE);
    }

    void set(int i, int value) {
        int[] w = wide;
        if (w == null) {
            long above = (long) value - base;
            if (above >= 0 && above <= NARROW_RANGE) {
                narrow[i] = (byte) above;
                return;
            }
            w = widen();
        }
        w[i] = value;
    }

    private int[] widen() {
        int[] w = new int[EventIndex.CHUNK_SIZE];
        for (int i = 0; i < w.length; i++) {
            w[i] = base + (narrow[i] & NARROW_RANGE);
        }
        wide = w;
        return w;
    }
}
