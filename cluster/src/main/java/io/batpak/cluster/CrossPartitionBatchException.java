package io.batpak.cluster;

import io.batpak.core.error.InvalidInputException;

/**
 * An atomic batch (or an append condition) named entities of more than one partition. Atomicity holds within one
 * partition only, so such a batch is refused as a whole before anything is sent: nothing is stored.
 */
public final class CrossPartitionBatchException extends InvalidInputException {
    private static final long serialVersionUID = 1L;
    private final String firstEntity;
    private final int firstPartition;
    private final String otherEntity;
    private final int otherPartition;

    public CrossPartitionBatchException(String firstEntity, int firstPartition, String otherEntity,
                                        int otherPartition) {
        super("requests", "an atomic batch must stay within one partition, but entity \"" + firstEntity
                + "\" is in partition " + firstPartition + " and entity \"" + otherEntity + "\" in partition "
                + otherPartition);
        this.firstEntity = firstEntity;
        this.firstPartition = firstPartition;
        this.otherEntity = otherEntity;
        this.otherPartition = otherPartition;
    }

    public String firstEntity() {
        return firstEntity;
    }

    public int firstPartition() {
        return firstPartition;
    }

    public String otherEntity() {
        return otherEntity;
    }

    public int otherPartition() {
        return otherPartition;
    }
}
