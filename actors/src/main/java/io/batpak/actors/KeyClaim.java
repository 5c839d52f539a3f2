package io.batpak.actors;

import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The claim an in-flight keyed append holds on its idempotency key. A retry with the same key that arrives while
 * the original is in flight waits on the claim and gets the original's outcome. Waiters are added only under the
 * idempotency index's lock while the claim is pending; once the writer has removed the claim (commit or failure)
 * the list no longer changes.
 */
final class KeyClaim {
    final Coordinate coordinate;
    final EventKind kind;
    final byte[] payload;
    private final List<CompletableFuture<AppendReceipt>> waiters = new ArrayList<>(1);

    KeyClaim(Coordinate coordinate, EventKind kind, byte[] payload) {
        this.coordinate = coordinate;
        this.kind = kind;
        this.payload = payload;
    }

    /** Whether an append asks for exactly the same event. */
    boolean sameRequest(Coordinate c, EventKind k, byte[] p) {
        return coordinate.equals(c) && kind.equals(k) && Arrays.equals(payload, p);
    }

    /** Adds a waiter; call only under the idempotency index lock while the claim is pending. */
    void addWaiter(CompletableFuture<AppendReceipt> waiter) {
        waiters.add(waiter);
    }

    /** Completes the waiters; call after the claim left the index. */
    void complete(AppendReceipt receipt) {
        for (CompletableFuture<AppendReceipt> w : waiters) {
            w.complete(receipt);
        }
    }

    void fail(Throwable error) {
        for (CompletableFuture<AppendReceipt> w : waiters) {
            w.completeExceptionally(error);
        }
    }
}
