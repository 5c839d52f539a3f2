package io.batpak.actors;

import io.batpak.core.Region;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.internal.journal.StoreCore;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;

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
public final class StoreFeed {
    private final StoreCore core;
    private final CopyOnWriteArrayList<Registration> listeners = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean signalPending = new AtomicBoolean();
    private volatile ActorRef<FanoutActor.Command> fanout;
    private volatile boolean ended;
    private volatile Throwable failure;

    /** The visible head when the store opened: the fan-out delivers every event after it. */
    final long openedAt;

    StoreFeed(StoreCore core) {
        this.core = core;
        this.openedAt = core.lastGlobalSequence();
    }

    void attach(ActorRef<FanoutActor.Command> fanout) {
        this.fanout = fanout;
    }

    /** The global sequence of the last visible event, -1 when the store is empty. */
    public long visibleSequence() {
        return core.lastGlobalSequence();
    }

    /**
     * Registers a listener for the events of {@code region} that become visible after this call returns (an event
     * made visible concurrently with the call may or may not be included). When the feed has already ended the
     * listener's {@link FeedListener#closed} is called at once.
     */
    public Registration subscribe(Region region, FeedListener listener) {
        InvalidInputException.requireArgument(region, "region");
        InvalidInputException.requireArgument(listener, "listener");
        Registration r = new Registration(this, region, listener, visibleSequence());
        listeners.add(r);
        if (ended) {
            // The fan-out may have finished closing before this registration was added.
            r.end(failure);
        }
        return r;
    }

    /**
     * Runs {@code wake} once, as soon as an event after {@code globalSequence} is visible or the feed has ended
     * (whichever comes first; at once if that is already so). {@code wake} runs on the fan-out's thread or the
     * caller's and must not block.
     */
    public void wakeAfter(long globalSequence, Runnable wake) {
        InvalidInputException.requireArgument(wake, "wake");
        Waiter w = new Waiter(globalSequence, wake);
        waiters.add(w);
        if (ended || visibleSequence() > globalSequence) {
            w.fire();
        }
    }

    /** Whether the feed has ended: the store closed or failed. */
    public boolean ended() {
        return ended;
    }

    /** Why the feed ended, null while it runs or when the store closed normally. */
    public Throwable failure() {
        return failure;
    }

    /** Called by the writer after a commit or on failure: at most one signal is queued at the fan-out. */
    void signal() {
        ActorRef<FanoutActor.Command> f = fanout;
        if (f != null && signalPending.compareAndSet(false, true)) {
            f.tell(FanoutActor.Drain.INSTANCE);
        }
    }

    void clearSignal() {
        signalPending.set(false);
    }

    List<Registration> listeners() {
        return listeners;
    }

    /** Fires the waiters satisfied by {@code visible}. Fan-out thread. */
    void wake(long visible) {
        for (Waiter w : waiters) {
            if (w.after < visible) {
                w.fire();
            }
        }
    }

    /** Ends the feed: closes every listener with {@code error} (null: closed normally) and fires every waiter. */
    synchronized void end(Throwable error) {
        if (ended) {
            return; // a failure stays the reason even when the store is closed afterwards
        }
        failure = error;
        ended = true;
        for (Registration r : listeners) {
            r.end(error);
        }
        for (Waiter w : waiters) {
            w.fire();
        }
    }

    private final class Waiter {
        final long after;
        final Runnable wake;
        final AtomicBoolean fired = new AtomicBoolean();

        Waiter(long after, Runnable wake) {
            this.after = after;
            this.wake = wake;
        }

        void fire() {
            if (fired.compareAndSet(false, true)) {
                waiters.remove(this);
                wake.run();
            }
        }
    }

    /** One listener's registration. Cancelling it is thread-safe and idempotent. */
    public static final class Registration {
        private final StoreFeed feed;
        final Region region;
        final FeedListener listener;
        /** Events at or before this global sequence were visible before the registration and are skipped. */
        final long startAfter;
        private final AtomicBoolean done = new AtomicBoolean();

        private Registration(StoreFeed feed, Region region, FeedListener listener, long startAfter) {
            this.feed = feed;
            this.region = region;
            this.listener = listener;
            this.startAfter = startAfter;
        }

        /** Stops delivery to the listener; {@link FeedListener#closed} is not called. */
        public void cancel() {
            if (done.compareAndSet(false, true)) {
                feed.listeners.remove(this);
            }
        }

        /** Whether the registration is still receiving events. */
        public boolean active() {
            return !done.get();
        }

        void end(Throwable error) {
            if (done.compareAndSet(false, true)) {
                feed.listeners.remove(this);
                listener.closed(error);
            }
        }
    }
}
