package io.batpak.actors.internal;

import io.batpak.core.AppendReceipt;
import io.batpak.core.internal.journal.PendingEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * The answer to an append or an atomic batch, sent to the {@code replyTo} of the command that asked for it: the
 * writer's commit, an idempotent replay of stored events, or a failure. Exactly one outcome is sent per command.
 */
public sealed interface WriteOutcome {

    /** The events are committed, durable and visible. */
    record Committed(PendingEvent[] events) implements WriteOutcome {
    }

    /** Every event was stored earlier with the same keys and content; these are the original receipts. */
    record Replayed(List<AppendReceipt> receipts) implements WriteOutcome {
    }

    /** Nothing was stored (or, for {@link io.batpak.core.error.StoreFailedException}, the outcome is unknown). */
    record Failed(Throwable error) implements WriteOutcome {
    }

    /** The receipts of a successful outcome, in event order. Signs them (when configured) on the calling thread. */
    static List<AppendReceipt> receipts(WriteOutcome outcome) {
        if (outcome instanceof Replayed r) {
            return r.receipts();
        }
        PendingEvent[] events = ((Committed) outcome).events();
        List<AppendReceipt> out = new ArrayList<>(events.length);
        for (PendingEvent e : events) {
            out.add(e.receipt());
        }
        return out;
    }
}
