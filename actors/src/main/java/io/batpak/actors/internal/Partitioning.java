package io.batpak.actors.internal;

/** Which partition owns an entity: one rule, used by the facade and the batch coordinator. */
public final class Partitioning {
    private Partitioning() {
    }

    /** The index of {@code entity}'s partition among {@code partitions}. */
    public static int index(String entity, int partitions) {
        return Math.floorMod(entity.hashCode(), partitions);
    }
}
