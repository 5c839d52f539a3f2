package io.batpak.streams;

import io.batpak.core.Region;

/**
 * The materialized value of {@link BatpakStreams#subscribe}: counters and cancellation of one live subscription.
 * Thread-safe.
 */
public interface Subscription {

    /** The region the subscription delivers. */
    Region region();

    /** Events handed to the stream's buffer so far. */
    long delivered();

    /** Matching events dropped because the buffer was full (with {@link OverflowPolicy#DROP_NEWEST}). */
    long dropped();

    /** Whether the fan-out still delivers to this subscription. */
    boolean active();

    /**
     * Stops delivery; the stream completes once its buffered events are consumed. Idempotent. Cancelling the
     * stream downstream has the same effect.
     */
    void cancel();
}
