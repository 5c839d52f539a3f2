package io.batpak.streams;

import io.batpak.core.EventIterator;
import io.batpak.core.StoredEvent;
import io.batpak.core.internal.journal.SequentialRun;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A cursor's sequential catch-up: the {@link EventIterator} a cursor reads its pages from while it is far enough
 * behind the head on a dense region. One read at a time takes pages on the I/O executor; the stage closes it when
 * it stops, from its own thread and without waiting for a read in flight (that read releases the file when it
 * ends).
 */
final class SequentialCatchUp {
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean closed;
    /** Guarded by {@link #lock}; null when no sequential run is open. */
    private EventIterator run;
    /** Guarded by {@link #lock}: where the last run ended, once it reached its end. */
    private long endedAt = -1;

    /** Whether a sequential run is open. Called by the reading thread only. */
    boolean active() {
        lock.lock();
        try {
            return run != null;
        } finally {
            lock.unlock();
        }
    }

    /** Starts reading sequentially from {@code it}; closes it at once if the cursor has stopped. */
    void open(EventIterator it) {
        lock.lock();
        try {
            if (closed) {
                it.close();
            } else {
                run = it;
            }
        } finally {
            lock.unlock();
        }
        if (closed) {
            release();
        }
    }

    /**
     * Up to {@code max} events after {@code from}. Fewer means the run reached the head seen when it was opened and
     * was released; {@link #endedAt()} is then how far it read. Null when the run does not continue at
     * {@code from} (it was released; read from the index instead).
     */
    List<StoredEvent> take(long from, int max) {
        lock.lock();
        try {
            if (!continuesAt(from)) {
                return null;
            }
            List<StoredEvent> page = new ArrayList<>(max);
            try {
                while (page.size() < max && run.hasNext()) {
                    page.add(run.next());
                }
            } catch (RuntimeException e) {
                return endAtDamage(page, e);
            }
            if (page.size() < max) {
                endedAt = run.position();
                run.close();
                run = null;
            }
            return page;
        } finally {
            lock.unlock();
            if (closed) {
                release();
            }
        }
    }

    /**
     * Up to {@code max} events after {@code from} that can be had without reading a file, for the stage's own
     * thread: empty when the next needs a read (then {@link #take} on the I/O executor), null as for
     * {@link #take}.
     */
    List<StoredEvent> takeBuffered(long from, int max) {
        if (!lock.tryLock()) {
            return List.of();
        }
        try {
            if (!continuesAt(from)) {
                return null;
            }
            if (!(run instanceof SequentialRun buffered)) {
                return List.of();
            }
            List<StoredEvent> page = new ArrayList<>(max);
            try {
                StoredEvent e;
                while (page.size() < max && (e = buffered.nextIfBuffered()) != null) {
                    page.add(e);
                }
            } catch (RuntimeException e) {
                return endAtDamage(page, e);
            }
            return page;
        } finally {
            lock.unlock();
            if (closed) {
                release();
            }
        }
    }

    /** Whether the run goes on at {@code from}; if it is elsewhere it is released. Holding the lock. */
    private boolean continuesAt(long from) {
        if (run == null) {
            return false;
        }
        if (run.position() != from) {
            run.close();
            run = null;
            return false;
        }
        return true;
    }

    /**
     * A damaged frame: hands out the good events before it and releases the run; the next read goes to the index,
     * which meets the damage again and fails the cursor there, after them. With no good event, fails now.
     */
    private List<StoredEvent> endAtDamage(List<StoredEvent> page, RuntimeException damage) {
        run.close();
        run = null;
        if (page.isEmpty()) {
            throw damage;
        }
        endedAt = page.get(page.size() - 1).globalSequence();
        return page;
    }

    /** How far the last run read when it reached its end. */
    long endedAt() {
        lock.lock();
        try {
            return endedAt;
        } finally {
            lock.unlock();
        }
    }

    /** Releases the file now, or when the read in flight ends. Any thread; idempotent. */
    void close() {
        closed = true;
        release();
    }

    private void release() {
        if (lock.tryLock()) {
            try {
                if (run != null) {
                    run.close();
                    run = null;
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
