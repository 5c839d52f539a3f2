package io.batpak.actors;

import io.batpak.core.StoredEvent;

/**
 * Receives the live events of one region from a store's fan-out ({@link StoreFeed#subscribe}). Every method is
 * called on the fan-out's thread, one at a time, and must return quickly without blocking: the fan-out serves
 * every listener of the store. Events arrive in global-sequence order; none is delivered twice.
 */
public interface FeedListener {

    /**
     * Whether {@link #offer} would accept an event now. When false the fan-out calls {@link #overflow} instead and
     * does not read the event's payload.
     */
    boolean hasCapacity();

    /**
     * One matching event, after it became visible.
     *
     * @return false when the listener is gone (the fan-out removes it without calling {@link #closed})
     */
    boolean offer(StoredEvent event);

    /**
     * A matching event arrived while the listener had no capacity; it is not delivered to this listener.
     *
     * @return false to be removed (the fan-out then does not call {@link #closed})
     */
    boolean overflow(long globalSequence);

    /**
     * The feed ended: {@code failure} is null when the store closed (every event visible before the close was
     * offered first), else why it ended (the store failed, or reading an event failed its checks). Called at most
     * once, and never after {@link #offer} or {@link #overflow} returned false or the registration was cancelled.
     */
    void closed(Throwable failure);
}
