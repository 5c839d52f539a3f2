package io.batpak.streams;

import io.batpak.actors.FeedListener;
import io.batpak.actors.StoreFeed;
import io.batpak.core.Region;
import io.batpak.core.StoredEvent;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;

/** A subscription's bridge from the store's fan-out into a bounded source queue. */
final class LiveSubscription implements Subscription, FeedListener {
    private final Region region;
    private final BoundedSourceQueue<StoredEvent> queue;
    private final SubscriptionSettings settings;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile StoreFeed.Registration registration;
    private volatile boolean stopped;

    LiveSubscription(Region region, BoundedSourceQueue<StoredEvent> queue, SubscriptionSettings settings) {
        this.region = region;
        this.queue = queue;
        this.settings = settings;
    }

    void register(StoreFeed feed) {
        registration = feed.subscribe(region, this);
    }

    @Override
    public boolean hasCapacity() {
        // A stopped stream takes the offer path, which reports it gone.
        return stopped || queue.size() < settings.bufferSize();
    }

    @Override
    public boolean offer(StoredEvent event) {
        QueueOfferResult r = queue.offer(event);
        if (r == QueueOfferResult.enqueued()) {
            delivered.incrementAndGet();
            return true;
        }
        if (r == QueueOfferResult.dropped()) {
            return overflow(event.globalSequence());
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
