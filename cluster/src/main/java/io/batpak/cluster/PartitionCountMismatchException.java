package io.batpak.cluster;

import io.batpak.core.error.StoreException;

/**
 * Two partition counts disagree: this node's {@code batpak.cluster.partitions} and the count its directory
 * recorded when the cluster store was created, or the counts of two nodes. Every entity's partition depends on the
 * count, so nothing is served under a count other than the recorded one; nothing was stored.
 */
public final class PartitionCountMismatchException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final int expected;
    private final int found;

    public PartitionCountMismatchException(String where, int expected, int found) {
        super("partition count mismatch: " + where + " has " + found + " partitions, but " + expected
                + " were recorded when the cluster store was created (batpak.cluster.partitions)");
        this.expected = expected;
        this.found = found;
    }

    /** The recorded count. */
    public int expected() {
        return expected;
    }

    /** The count that disagreed with it. */
    public int found() {
        return found;
    }

    @Override
    public Category category() {
        return Category.INVALID_INPUT;
    }
}
