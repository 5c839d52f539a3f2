package io.batpak.streams;

import io.batpak.actors.FeedListener;
import io.batpak.actors.StoreFeed;
import io.batpak.core.Region;
import io.batpak.core.StoredEvent;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;

/**
 * A subscription's bridge from the store's fan-out into a bounded source queue of batches. The buffer bound is in
 * events: {@link #held} counts the events handed over and not yet taken by the stream.
 */
final class LiveSubscription implements Subscription, FeedListener {
    /** One fan-out turn's events for this subscription; the list may be shared with other subscriptions. */
    record Batch(List<StoredEvent> events, AtomicInteger held) {
        /** The stream takes the batch: its events leave the buffer. */
        List<StoredEvent> take() {
            held.addAndGet(-events.size());
            return events;
        }
    }

    private final Region region;
    private final BoundedSourceQueue<Batch> queue;
    private final AtomicInteger held = new AtomicInteger();
    private final SubscriptionSettings settings;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile StoreFeed.Registration registration;
    private volatile boolean stopped;

    LiveSubscription(Region region, BoundedSourceQueue<Batch> queue, SubscriptionSettings settings) {
        this.region = region;
        this.queue = queue;
        this.settings = settings;
    }

    void register(StoreFeed feed) {
        registration = feed.subscribe(region, this);
    }

    @Override
    public boolean hasCapacity() {
        return capacity() > 0;
    }

    @Override
    public int capacity() {
        // A stopped stream takes the offer path, which reports it gone.
        return stopped ? 1 : Math.max(0, settings.bufferSize() - held.get());
    }

    @Override
    public boolean offer(StoredEvent event) {
        return offerAll(List.of(event));
    }

    @Override
    public boolean offerAll(List<StoredEvent> events) {
        // Counted before the offer: once enqueued the stream may take the events (and finish) at once, and a
        // reader of delivered() must never see fewer than the stream received.
        held.addAndGet(events.size());
        delivered.addAndGet(events.size());
        QueueOfferResult r = queue.offer(new Batch(events, held));
        if (r == QueueOfferResult.enqueued()) {
            return true;
        }
        held.addAndGet(-events.size());
        delivered.addAndGet(-events.size());
        if (r == QueueOfferResult.dropped()) {
            for (StoredEvent e : events) {
                if (!overflow(e.globalSequence())) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public boolean overflow(long globalSequence) {
        dropped.incrementAndGet();
        if (settings.overflowPolicy() == OverflowPolicy.FAIL) {
            queue.fail(new SubscriptionOverflowException(region, settings.bufferSize(), globalSequence));
            return false;
        }
        return true;
    }

    @Override
    public void closed(Throwable failure) {
        if (failure == null) {
            queue.complete();
        } else {
            queue.fail(failure);
        }
    }

    /** The stream terminated (completed, failed or cancelled downstream). */
    void streamStopped() {
        stopped = true;
        StoreFeed.Registration r = registration;
        if (r != null) {
            r.cancel();
        }
    }

    @Override
    public Region region() {
        return region;
    }

    @Override
    public long delivered() {
        return delivered.get();
    }

    @Override
    public long dropped() {
        return dropped.get();
    }

    @Override
    public boolean active() {
        StoreFeed.Registration r = registration;
        return !stopped && r != null && r.active();
    }

    @Override
    public void cancel() {
        StoreFeed.Registration r = registration;
        if (r != null) {
            r.cancel();
        }
        queue.complete();
    }

    @Override
    public String toString() {
        return "Subscription[" + region.identity() + ", delivered=" + delivered() + ", dropped=" + dropped() + "]";
    }
}
