package io.batpak.actors.internal;

import io.batpak.core.AppendReceipt;
import io.batpak.core.error.StoreFailedException;
import io.batpak.core.error.StoreTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Function;

/**
 * An admitted append (or atomic batch) awaiting its outcome, and the receiver of that outcome: the caller's stage
 * is completed on the thread that delivers the outcome (the writer after a small commit, otherwise the store's
 * reply executor), with no actor, timer or intermediate future in between; see {@link ReplyFuture} for where the
 * caller's callbacks run. It settles exactly once, whichever comes first: the outcome, the store's failure
 * ({@link StoreState#markFailed}) or the append timeout (found by {@link StoreState#expireOverdue}). Settling
 * releases the admission and stops the tracking. Thread-safe.
 *
 * @param <T> what the caller's stage completes with, made from the receipts
 */
public final class PendingAppend<T> implements OutcomeReceiver {
    private static final AtomicIntegerFieldUpdater<PendingAppend> SETTLED =
            AtomicIntegerFieldUpdater.newUpdater(PendingAppend.class, "settled");

    private final StoreState state;
    private final int events;
    private final String what;
    private final Function<List<AppendReceipt>, T> result;
    private final Duration timeout;
    private final long sentAt = System.nanoTime();
    private final ReplyFuture<T> out;
    private volatile int settled;
    private long id;

    /**
     * Tracks an append that {@link StoreState#admit admitted} {@code events} events; it fails at once when the store
     * has already failed.
     */
    public PendingAppend(StoreState state, int events, String what, Duration timeout,
                         Function<List<AppendReceipt>, T> result) {
        this.state = state;
        this.events = events;
        this.what = what;
        this.timeout = timeout;
        this.result = result;
        this.out = ReplyFuture.sealed(state.callbackGate);
        state.track(this);
    }

    /** The caller's view: completes with the result or fails with the typed store exception. */
    public CompletionStage<T> stage() {
        return out;
    }

    void trackedAs(long id) {
        this.id = id;
    }

    @Override
    public void tell(WriteOutcome outcome) {
        if (outcome instanceof WriteOutcome.Failed f) {
            fail(f.error());
            return;
        }
        T value;
        try {
            value = result.apply(WriteOutcome.receipts(outcome));
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        if (settle()) {
            out.settle(value);
        }
    }

    /** Fails the append unless it settled already. */
    void fail(Throwable error) {
        if (settle()) {
            out.settleExceptionally(error);
        }
    }

    /** Fails the append with {@link StoreFailedException} (the store failed while it was pending). */
    void storeFailed(StoreFailedException error) {
        fail(error);
    }

    /** Fails it with {@link StoreTimeoutException} when it has waited {@code timeout} by {@code nowNanos}. */
    void expireIfDue(long nowNanos) {
        if (nowNanos - sentAt >= timeout.toNanos()) {
            fail(new StoreTimeoutException("the " + what, timeout));
        }
    }

    private boolean settle() {
        if (!SETTLED.compareAndSet(this, 0, 1)) {
            return false;
        }
        state.release(events);
        state.forget(id, this);
        return true;
    }
}
