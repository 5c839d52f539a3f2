package io.batpak.streams;

import io.batpak.core.Region;
import io.batpak.core.error.StoreException;

/**
 * A live subscription with {@link OverflowPolicy#FAIL} could not keep up: an event arrived while its buffer was
 * full. Nothing is lost from the store; read from {@link #globalSequence()} on with a cursor to catch up.
 */
public final class SubscriptionOverflowException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final transient Region region;
    private final int bufferSize;
    private final long globalSequence;

    public SubscriptionOverflowException(Region region, int bufferSize, long globalSequence) {
        super("subscription to " + region + " overflowed its buffer of " + bufferSize + " events at global sequence "
                + globalSequence + "; the consumer is too slow for live delivery, read with a cursor from "
                + globalSequence + " instead");
        this.region = region;
        this.bufferSize = bufferSize;
        this.globalSequence = globalSequence;
    }

    public Region region() {
        return region;
    }

    public int bufferSize() {
        return bufferSize;
    }

    /** The first event that did not fit: a cursor started after {@code globalSequence - 1} misses nothing. */
    public long globalSequence() {
        return globalSequence;
    }
}
