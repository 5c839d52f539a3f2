package io.batpak.actors.internal;

import io.batpak.actors.FeedListener;
import io.batpak.actors.StoreFeed;
import io.batpak.core.Region;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.internal.journal.StoreCore;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The store's {@link StoreFeed}: the listener registrations and waiters the fan-out serves, and the at-most-one
 * pending signal from the writer to the fan-out. The fan-out is attached once, when the store's guardian has
 * spawned it. Thread-safe.
 */
public final class FeedHub implements StoreFeed {
    private final StoreCore core;
    private final CopyOnWriteArrayList<Registration> listeners = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean signalPending = new AtomicBoolean();
    private volatile ActorRef<FanoutActor.Command> fanout;
    private volatile boolean ended;
    private volatile Throwable failure;

    /** The visible head when the store opened: the fan-out delivers every event after it. */
    final long openedAt;

    public FeedHub(StoreCore core) {
        this.core = core;
        this.openedAt = core.lastGlobalSequence();
    }

    void attach(ActorRef<FanoutActor.Command> fanout) {
        this.fanout = fanout;
    }

    @Override
    public long visibleSequence() {
        return core.lastGlobalSequence();
    }

    @Override
    public StoreFeed.Registration subscribe(Region region, FeedListener listener) {
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

    @Override
    public void wakeAfter(long globalSequence, Runnable wake) {
        InvalidInputException.requireArgument(wake, "wake");
        Waiter w = new Waiter(globalSequence, wake);
        waiters.add(w);
        if (ended || visibleSequence() > globalSequence) {
            w.fire();
        }
    }

    @Override
    public boolean ended() {
        return ended;
    }

    @Override
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
    static final class Registration implements StoreFeed.Registration {
        private final FeedHub feed;
        final Region region;
        final FeedListener listener;
        /** Events at or before this global sequence were visible before the registration and are skipped. */
        final long startAfter;
        private final AtomicBoolean done = new AtomicBoolean();

        private Registration(FeedHub feed, Region region, FeedListener listener, long startAfter) {
            this.feed = feed;
            this.region = region;
            this.listener = listener;
            this.startAfter = startAfter;
        }

        @Override
        public void cancel() {
            if (done.compareAndSet(false, true)) {
                feed.listeners.remove(this);
            }
        }

        @Override
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
