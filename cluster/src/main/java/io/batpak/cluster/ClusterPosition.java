package io.batpak.cluster;

import io.batpak.core.error.InvalidInputException;
import java.util.Arrays;

/**
 * A position in the whole cluster store: for each partition, the global sequence of the last event taken from it
 * ({@code -1}: none yet). Partitions have independent gap-free global sequences, so a cluster-wide position is a
 * vector, not a number. Immutable and thread-safe.
 */
public final class ClusterPosition {
    private final long[] positions;

    private ClusterPosition(long[] positions) {
        this.positions = positions;
    }

    /** The position before the first event of every one of {@code partitions} partitions. */
    public static ClusterPosition start(int partitions) {
        Partitioning.checkCount(partitions);
        long[] p = new long[partitions];
        Arrays.fill(p, -1);
        return new ClusterPosition(p);
    }

    /**
     * A position of the given per-partition global sequences.
     *
     * @throws InvalidInputException when there are no partitions or a value is below -1
     */
    public static ClusterPosition of(long... positions) {
        InvalidInputException.requireArgument(positions, "positions");
        Partitioning.checkCount(positions.length);
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] < -1) {
                throw new InvalidInputException("positions", "partition " + i + " has position " + positions[i]
                        + ", below -1");
            }
        }
        return new ClusterPosition(positions.clone());
    }

    public int partitions() {
        return positions.length;
    }

    /** The global sequence of the last event taken from {@code partition}, or -1. */
    public long get(int partition) {
        return positions[partition];
    }

    /** This position with {@code partition} at {@code globalSequence}. */
    public ClusterPosition with(int partition, long globalSequence) {
        long[] p = positions.clone();
        p[partition] = globalSequence;
        return new ClusterPosition(p);
    }

    /** A copy of the vector. */
    public long[] toArray() {
        return positions.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterPosition other && Arrays.equals(positions, other.positions);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(positions);
    }

    @Override
    public String toString() {
        return "ClusterPosition" + Arrays.toString(positions);
    }
}
