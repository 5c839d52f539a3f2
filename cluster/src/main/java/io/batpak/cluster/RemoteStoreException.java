package io.batpak.cluster;

import io.batpak.core.error.StoreException;

/**
 * A store error raised on the node owning a partition that could not be rebuilt here as its own class (its fields
 * do not travel). It keeps the remote error's class name, message and {@link #category()}, so a retry policy
 * behaves as it would for the original. Errors that do travel (for example
 * {@link io.batpak.core.error.SequenceMismatchException}) arrive as their own class.
 */
public final class RemoteStoreException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final int partition;
    private final String remoteClass;
    private final Category category;

    public RemoteStoreException(int partition, String remoteClass, Category category, String message) {
        super("partition " + partition + ": " + remoteClass + ": " + message);
        this.partition = partition;
        this.remoteClass = remoteClass;
        this.category = category;
    }

    public int partition() {
        return partition;
    }

    /** The fully qualified class name of the error on the owning node. */
    public String remoteClass() {
        return remoteClass;
    }

    @Override
    public Category category() {
        return category;
    }
}
