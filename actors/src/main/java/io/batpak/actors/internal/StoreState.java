package io.batpak.actors.internal;

import io.batpak.actors.RuntimeSettings;
import io.batpak.core.error.StoreClosedException;
import io.batpak.core.error.StoreException;
import io.batpak.core.error.StoreFailedException;
import io.batpak.core.error.StoreOverloadedException;
import io.batpak.core.internal.journal.JournalWriter;
import io.batpak.core.internal.journal.StoreCore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The state one store's facade and actors share, none of it actor references (each actor gets its collaborators
 * when it is spawned): the core and journal, the executors, admission control (bounded in-flight appends), the
 * appends awaiting an outcome, the failed state and the close drain. Thread-safe.
 */
public final class StoreState {
    public final StoreCore core;
    public final JournalWriter journal;
    public final RuntimeSettings settings;
    /** Where replies of large commits are completed, so the writer goes back to staging at once. */
    public final Executor replyExecutor;
    /** What callbacks on an append's stage are attached with, so they never run on the writer's thread. */
    public final Executor callbackGate;
    /** Where blocking reads and checkpoint writes done for actors run. */
    public final Executor ioExecutor;
    public final FeedHub feed;
    public final ActorFaultHook faults;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final PendingTable pending;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final AtomicBoolean journalClosed = new AtomicBoolean();
    private volatile boolean closing;
    private volatile StoreFailedException failure;

    public StoreState(StoreCore core, JournalWriter journal, RuntimeSettings settings, Executor replyExecutor,
                      Executor ioExecutor, ActorFaultHook faults) {
        this.core = core;
        this.journal = journal;
        this.settings = settings;
        this.replyExecutor = replyExecutor;
        this.callbackGate = ReplyFuture.callbackGate(replyExecutor);
        this.ioExecutor = ioExecutor;
        this.faults = faults;
        this.feed = new FeedHub(core);
        this.pending = new PendingTable(core.config().writerQueueBound());
    }

    /** Why a call that changes the store is refused now (closed, failed), or null when it may run. */
    public StoreException unavailable(String what) {
        if (closing) {
            return new StoreClosedException(what);
        }
        StoreFailedException f = failure;
        return f == null ? null : refusal(f, what);
    }

    /**
     * Admits {@code n} appends or returns why not: closed, failed or overloaded.
     *
     * @return null when admitted (the caller must {@link #release} them), else the error
     */
    public StoreException admit(int n, String what) {
        if (closing) {
            return new StoreClosedException(what);
        }
        StoreFailedException f = failure;
        if (f != null) {
            return refusal(f, what);
        }
        int bound = core.config().writerQueueBound();
        int now = inFlight.addAndGet(n);
        if (now > bound && now - n > 0) {
            release(n);
            return new StoreOverloadedException(now - n, bound);
        }
        if (closing) {
            // close() may have seen zero in flight just before this admission counted: back out.
            release(n);
            return new StoreClosedException(what);
        }
        return null;
    }

    private static StoreFailedException refusal(StoreFailedException f, String what) {
        return new StoreFailedException(f.component(), "store failed earlier (" + f.component() + "), " + what
                + " refused: " + f.getMessage(), f);
    }

    /** Marks {@code n} admitted appends finished. */
    public void release(int n) {
        int now = inFlight.addAndGet(-n);
        if (now == 0 && closing) {
            drained.complete(null);
        }
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** A fresh id (batches, pending appends). */
    public long nextId() {
        return ids.incrementAndGet();
    }

    /**
     * Tracks an admitted append until its outcome is settled, so a store failure or the append timeout can settle
     * it; it fails at once if the store already failed. The append stops its tracking itself when it settles.
     */
    void track(PendingAppend<?> append) {
        long id = ids.incrementAndGet();
        append.trackedAs(id);
        pending.add(id, append);
        StoreFailedException f = failure;
        if (f != null) {
            append.storeFailed(refusal(f, "append"));
        }
    }

    void forget(long id, PendingAppend<?> append) {
        pending.remove(id, append);
    }

    /** Appends awaiting their outcome. */
    public int pendingCount() {
        return pending.count();
    }

    /**
     * Fails every tracked append that has waited longer than its timeout with
     * {@link io.batpak.core.error.StoreTimeoutException}. Run periodically by the store: one sweep instead of a timer
     * per append.
     */
    public void expireOverdue() {
        long now = System.nanoTime();
        pending.forEach(p -> p.expireIfDue(now));
    }

    /** Stops admitting appends; the returned future completes once every admitted append has finished. */
    public CompletableFuture<Void> beginClose() {
        closing = true;
        if (inFlight.get() == 0) {
            drained.complete(null);
        }
        return drained;
    }

    public boolean closing() {
        return closing;
    }

    /**
     * Enters the failed state (the first failure stays the reason): every append awaiting its outcome fails now with
     * a {@link StoreFailedException} and later ones are refused. The caller ends the feed.
     *
     * @return whether this call entered the failed state
     */
    public boolean markFailed(StoreFailedException e) {
        synchronized (this) {
            if (failure != null) {
                return false;
            }
            failure = e;
        }
        pending.forEach(p -> p.storeFailed(refusal(e, "pending append")));
        return true;
    }

    public StoreFailedException failure() {
        return failure;
    }

    /** Claims the single close of the journal; true for exactly one caller. */
    public boolean claimJournalClose() {
        return journalClosed.compareAndSet(false, true);
    }
}
