package io.batpak.actors;

import io.batpak.core.StoredEvent;
import java.util.List;

/**
 * Receives the live events of one region from a store's fan-out ({@link StoreFeed#subscribe}). Every method is
 * called on the fan-out's thread, one at a time, and must return quickly without blocking: the fan-out serves
 * every listener of the store. Events arrive in global-sequence order; none is delivered twice.
 *
 * <p>The fan-out works in turns of up to {@code batpak.fanout.max-events-per-turn} newly visible events: it asks each
 * listener's {@link #capacity()} once per turn, then hands it that turn's matching events in one
 * {@link #offerAll} call (an event beyond the capacity goes to {@link #overflow} instead). A listener that only
 * implements {@link #hasCapacity()} and {@link #offer} gets them one by one, as before.
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

    /**
     * How many more events the listener takes now; read once per turn. By default unbounded while
     * {@link #hasCapacity()}, with {@link #offerAll} then checking each event.
     */
    default int capacity() {
        return hasCapacity() ? Integer.MAX_VALUE : 0;
    }

    /**
     * The matching events of one turn, in global-sequence order, at most {@link #capacity()} of them. The list is
     * read-only and may be the same instance handed to other listeners: keep it, do not change it. By default each
     * is offered in turn while {@link #hasCapacity()}, the rest go to {@link #overflow}.
     *
     * @return false when the listener is gone (the fan-out removes it without calling {@link #closed})
     */
    default boolean offerAll(List<StoredEvent> events) {
        for (StoredEvent e : events) {
            if (hasCapacity() ? !offer(e) : !overflow(e.globalSequence())) {
                return false;
            }
        }
        return true;
    }
}
