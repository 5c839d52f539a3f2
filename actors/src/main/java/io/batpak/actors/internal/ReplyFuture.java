package io.batpak.actors.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The stage an append returns. It may be completed on the writer's thread (see {@link #shielded}), which must
 * never run a caller's code, so a callback attached without an executor runs where the store's replies run (the
 * default dispatcher) when the completion happens on a shielded thread, and on the completing or attaching thread
 * otherwise, as with any {@link CompletableFuture}. Threads blocked in {@code join} or {@code get} are woken directly.
 * A callback attached with an explicit executor runs on that executor: a direct one ({@code Runnable::run}) runs a
 * short, non-blocking callback on the completing thread and saves a hand-off.
 *
 * <p>The stage handed to the caller is sealed: completing, cancelling or obtruding it throws
 * {@link UnsupportedOperationException}, since only the store settles an append. {@link #toCompletableFuture()}
 * returns an independent copy the caller owns, with the same callback rule.
 *
 * @param <T> the result
 */
public final class ReplyFuture<T> extends CompletableFuture<T> {
    private static final ThreadLocal<Boolean> SHIELDED = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final Executor gate;
    private final boolean sealed;

    private ReplyFuture(Executor gate, boolean sealed) {
        this.gate = gate;
        this.sealed = sealed;
    }

    /**
     * A sealed stage whose callbacks go through {@code gate} (made once per store by {@link #callbackGate}).
     */
    public static <T> ReplyFuture<T> sealed(Executor gate) {
        return new ReplyFuture<>(gate, true);
    }

    /**
     * Runs {@code work} with the current thread shielded: callbacks of reply futures completed meanwhile are
     * handed to their executor instead of running here.
     */
    public static void shielded(Runnable work) {
        SHIELDED.set(Boolean.TRUE);
        try {
            work.run();
        } finally {
            SHIELDED.set(Boolean.FALSE);
        }
    }

    /**
     * The executor callbacks are attached with: it hands a callback to {@code callbacks} on a shielded thread and
     * runs it in place elsewhere.
     */
    public static Executor callbackGate(Executor callbacks) {
        return task -> {
            if (SHIELDED.get()) {
                callbacks.execute(task);
            } else {
                task.run();
            }
        };
    }

    /** Completes the stage (store side). */
    boolean settle(T value) {
        return super.complete(value);
    }

    /** Fails the stage (store side). */
    boolean settleExceptionally(Throwable error) {
        return super.completeExceptionally(error);
    }

    private void refuseIfSealed() {
        if (sealed) {
            throw new UnsupportedOperationException("an append's stage is settled by the store only;"
                    + " use toCompletableFuture() for a copy you own");
        }
    }

    @Override
    public CompletableFuture<T> toCompletableFuture() {
        if (!sealed) {
            return this;
        }
        ReplyFuture<T> copy = new ReplyFuture<>(gate, false);
        super.whenComplete((v, e) -> {
            if (e != null) {
                copy.settleExceptionally(e);
            } else {
                copy.settle(v);
            }
        });
        return copy;
    }

    @Override
    public boolean complete(T value) {
        refuseIfSealed();
        return super.complete(value);
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        refuseIfSealed();
        return super.completeExceptionally(ex);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        refuseIfSealed();
        return super.cancel(mayInterruptIfRunning);
    }

    @Override
    public void obtrudeValue(T value) {
        refuseIfSealed();
        super.obtrudeValue(value);
    }

    @Override
    public void obtrudeException(Throwable ex) {
        refuseIfSealed();
        super.obtrudeException(ex);
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
        refuseIfSealed();
        return super.completeAsync(supplier, executor);
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
        refuseIfSealed();
        return super.completeAsync(supplier);
    }

    @Override
    public CompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
        refuseIfSealed();
        return super.orTimeout(timeout, unit);
    }

    @Override
    public CompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
        refuseIfSealed();
        return super.completeOnTimeout(value, timeout, unit);
    }

    @Override
    public <U> CompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
        return thenApplyAsync(fn, gate);
    }

    @Override
    public CompletableFuture<Void> thenAccept(Consumer<? super T> action) {
        return thenAcceptAsync(action, gate);
    }

    @Override
    public CompletableFuture<Void> thenRun(Runnable action) {
        return thenRunAsync(action, gate);
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombine(CompletionStage<? extends U> other,
                                                   BiFunction<? super T, ? super U, ? extends V> fn) {
        return thenCombineAsync(other, fn, gate);
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBoth(CompletionStage<? extends U> other,
                                                      BiConsumer<? super T, ? super U> action) {
        return thenAcceptBothAsync(other, action, gate);
    }

    @Override
    public CompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
        return runAfterBothAsync(other, action, gate);
    }

    @Override
    public <U> CompletableFuture<U> applyToEither(CompletionStage<? extends T> other,
                                                  Function<? super T, U> fn) {
        return applyToEitherAsync(other, fn, gate);
    }

    @Override
    public CompletableFuture<Void> acceptEither(CompletionStage<? extends T> other, Consumer<? super T> action) {
        return acceptEitherAsync(other, action, gate);
    }

    @Override
    public CompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
        return runAfterEitherAsync(other, action, gate);
    }

    @Override
    public <U> CompletableFuture<U> thenCompose(Function<? super T, ? extends CompletionStage<U>> fn) {
        return thenComposeAsync(fn, gate);
    }

    @Override
    public <U> CompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
        return handleAsync(fn, gate);
    }

    @Override
    public CompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        return whenCompleteAsync(action, gate);
    }

    @Override
    public CompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
        return exceptionallyAsync(fn, gate);
    }

    @Override
    public CompletableFuture<T> exceptionallyCompose(Function<Throwable, ? extends CompletionStage<T>> fn) {
        return exceptionallyComposeAsync(fn, gate);
    }
}
