package io.batpak.core.internal;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store's event clock: microseconds since the Unix epoch, strictly increasing across all callers (and across
 * restarts, since it starts above the newest stored timestamp), even when the wall clock steps back.
 * Thread-safe.
 */
public final class MonotonicClock {
    private final AtomicLong last;

    public MonotonicClock(long lastIssuedMicros) {
        this.last = new AtomicLong(lastIssuedMicros);
    }

    public static long wallMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** A timestamp greater than every one issued before. */
    public long next() {
        long now = wallMicros();
        while (true) {
            long prev = last.get();
            long next = Math.max(now, prev + 1);
            if (last.compareAndSet(prev, next)) {
                return next;
            }
        }
    }

    public long last() {
        return last.get();
    }
}
