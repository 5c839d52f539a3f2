package io.batpak.streams;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.error.StoreOverloadedException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Issues one stream's appends to the store strictly in element order, including across overload retries.
 *
 * <p>The store orders appends to an entity by arrival at its partition, so sending them in element order keeps
 * per-entity order. An append refused as overloaded was never admitted; it is retried after the backoff and every
 * later element waits behind it (its "admitted" gate), so a later append to the same entity never overtakes it.
 * One instance per materialization; {@link #append} is called on the stream's thread.
 */
final class OrderedAppender {
    private final BatpakStore store;
    private final long backoffNanos;
    private CompletableFuture<Void> admitted = CompletableFuture.completedFuture(null);

    OrderedAppender(BatpakStore store, AppendSettings settings) {
        this.store = store;
        this.backoffNanos = settings.overloadBackoff().toNanos();
    }

    CompletionStage<AppendReceipt> append(AppendRequest request) {
        CompletableFuture<AppendReceipt> result = new CompletableFuture<>();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        Runnable attempt = new Runnable() {
            @Override
            public void run() {
                CompletableFuture<AppendReceipt> f = store.append(request).toCompletableFuture();
                if (f.isCompletedExceptionally()) {
                    Throwable cause = f.handle((v, e) -> Futures.cause(e)).join();
                    if (cause instanceof StoreOverloadedException) {
                        CompletableFuture.delayedExecutor(backoffNanos, TimeUnit.NANOSECONDS).execute(this);
                        return;
                    }
                }
                gate.complete(null);
                f.whenComplete((r, e) -> {
                    if (e != null) {
                        result.completeExceptionally(Futures.cause(e));
                    } else {
                        result.complete(r);
                    }
                });
            }
        };
        CompletableFuture<Void> previous = admitted;
        admitted = gate;
        if (previous.isDone()) {
            attempt.run();
        } else {
            previous.thenRun(attempt);
        }
        return result;
    }
}
