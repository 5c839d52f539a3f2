package io.batpak.actors.internal;

import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.internal.index.IdempotencyIndex;
import io.batpak.core.internal.journal.PendingEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The claim an in-flight keyed append holds on its idempotency key. A retry with the same key that arrives while
 * the original is in flight waits on the claim and gets the original's outcome. Waiters are added only under the
 * idempotency index's lock while the claim is pending; once the writer has removed the claim (commit or failure)
 * the list no longer changes.
 */
final class KeyClaim implements IdempotencyIndex.Holder {
    final Coordinate coordinate;
    final EventKind kind;
    final byte[] payload;
    private final List<OutcomeReceiver> waiters = new ArrayList<>(1);

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
    void addWaiter(OutcomeReceiver waiter) {
        waiters.add(waiter);
    }

    /** Answers the waiters with the original's event; call after the claim left the index. */
    void complete(PendingEvent event) {
        WriteOutcome outcome = new WriteOutcome.Committed(new PendingEvent[] {event});
        for (OutcomeReceiver w : waiters) {
            w.tell(outcome);
        }
    }

    void fail(Throwable error) {
        WriteOutcome outcome = new WriteOutcome.Failed(error);
        for (OutcomeReceiver w : waiters) {
            w.tell(outcome);
        }
    }
}
