package io.batpak.actors;

import io.batpak.core.Region;

/**
 * The live side of a store: push delivery of newly visible events to {@link FeedListener}s, filtered by region
 * where they are pushed, and one-shot wake-ups for readers waiting for the visible head to move. This is the
 * building block of the subscriptions and cursors in {@code batpak-streams}; most applications use those.
 *
 * <p>After each group commit the writer sends one signal to the store's fan-out actor (running alone on
 * {@code batpak.fanout-dispatcher}); the fan-out then reads the index of the new events, matches every listener's
 * region and reads an event's payload only when some listener with capacity wants it. The writer's work is one
 * message per commit whatever the number of listeners, so listeners never slow appends.
 *
 * <p>Thread-safe.
 */
public interface StoreFeed {

    /** The global sequence of the last visible event, -1 when the store is empty. */
    long visibleSequence();

    /**
     * Registers a listener for the events of {@code region} that become visible after this call returns (an event
     * made visible concurrently with the call may or may not be included). When the feed has already ended the
     * listener's {@link FeedListener#closed} is called at once.
     *
     * @throws io.batpak.core.error.InvalidInputException when an argument is null
     */
    Registration subscribe(Region region, FeedListener listener);

    /**
     * Runs {@code wake} once, as soon as an event after {@code globalSequence} is visible or the feed has ended
     * (whichever comes first; at once if that is already so). {@code wake} runs on the fan-out's thread or the
     * caller's and must not block.
     *
     * @throws io.batpak.core.error.InvalidInputException when {@code wake} is null
     */
    void wakeAfter(long globalSequence, Runnable wake);

    /** Whether the feed has ended: the store closed or failed. */
    boolean ended();

    /** Why the feed ended, null while it runs or when the store closed normally. */
    Throwable failure();

    /** One listener's registration. Thread-safe. */
    interface Registration {
        /** Stops delivery to the listener; {@link FeedListener#closed} is not called. Idempotent. */
        void cancel();

        /** Whether the registration is still receiving events. */
        boolean active();
    }
}
