package io.batpak.cluster.persistence;

import io.batpak.cluster.ClusterPosition;
import io.batpak.core.error.InvalidInputException;
import org.apache.pekko.persistence.query.Offset;

/**
 * The offset of an envelope of {@link ClusterReadJournal}: the position vector of the cluster store after the
 * event (one global sequence per partition). Give it back to {@code eventsByTag} to resume after that event; the
 * same vector also resumes a cluster cursor. Immutable.
 */
public final class ClusterOffset extends Offset {
    private static final long serialVersionUID = 1L;
    private final long[] positions;

    public ClusterOffset(ClusterPosition position) {
        InvalidInputException.requireArgument(position, "position");
        this.positions = position.toArray();
    }

    public ClusterPosition position() {
        return ClusterPosition.of(positions);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterOffset other && java.util.Arrays.equals(positions, other.positions);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(positions);
    }

    @Override
    public String toString() {
        return "ClusterOffset" + java.util.Arrays.toString(positions);
    }
}
