package io.batpak.cluster;

import io.batpak.core.error.StoreException;

/**
 * A request could not be served because the node owning its partition is not available: it has not joined, it
 * left or is unreachable, or it did not answer in time.
 *
 * <p>When {@link #outcomeUnknown()} is false the request was refused before it was sent: nothing was stored, and
 * the same call can be retried once the partition is back ({@link Category#RETRIABLE}). When it is true the
 * request was sent and no answer came within {@code batpak.cluster.request-timeout}: an append may or may not have
 * been stored. Retry it with an idempotency key to be safe.
 */
public final class PartitionUnavailableException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final int partition;
    private final boolean outcomeUnknown;

    public PartitionUnavailableException(int partition, String reason, boolean outcomeUnknown) {
        super("partition " + partition + " is unavailable: " + reason
                + (outcomeUnknown ? " (the request was sent; its outcome is unknown)" : " (nothing was sent)"));
        this.partition = partition;
        this.outcomeUnknown = outcomeUnknown;
    }

    /** The partition whose owner is unavailable. */
    public int partition() {
        return partition;
    }

    /** Whether the request reached the owner before it became unavailable, so that it may have taken effect. */
    public boolean outcomeUnknown() {
        return outcomeUnknown;
    }

    @Override
    public Category category() {
        return Category.RETRIABLE;
    }
}
