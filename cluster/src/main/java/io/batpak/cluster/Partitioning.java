package io.batpak.cluster;

import io.batpak.core.Hash;
import io.batpak.core.error.InvalidInputException;
import java.nio.charset.StandardCharsets;

/**
 * Which partition an entity belongs to. The function is fixed, so that every node, every version and any tool
 * agrees: the BLAKE3-256 digest of the entity name's UTF-8 bytes, its first 8 bytes read as a little-endian
 * unsigned 64-bit integer, modulo the partition count. The whole name counts, so {@code "order:1"} and
 * {@code "order:2"} usually land in different partitions. Thread-safe, stateless.
 */
public final class Partitioning {
    /** The most partitions a cluster store can have. */
    public static final int MAX_PARTITIONS = 65_536;

    private Partitioning() {
    }

    /**
     * The partition of {@code entity} among {@code partitions}.
     *
     * @throws InvalidInputException when {@code entity} is null or {@code partitions} is out of 1..{@link #MAX_PARTITIONS}
     */
    public static int partitionOf(String entity, int partitions) {
        InvalidInputException.requireArgument(entity, "entity");
        checkCount(partitions);
        byte[] digest = Hash.blake3(entity.getBytes(StandardCharsets.UTF_8)).toByteArray();
        long h = 0;
        for (int i = 7; i >= 0; i--) {
            h = (h << 8) | (digest[i] & 0xFF);
        }
        return (int) Long.remainderUnsigned(h, partitions);
    }

    static void checkCount(int partitions) {
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            throw new InvalidInputException("partitions", "must be in 1.." + MAX_PARTITIONS + ", was " + partitions);
        }
    }
}
