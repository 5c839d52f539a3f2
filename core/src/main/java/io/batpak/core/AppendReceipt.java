package io.batpak.core;

/**
 * Proof that an append was committed: returned only once the event is durable under the sync mode in force
 * and visible to readers. A retried idempotent append returns a receipt equal to the original one.
 */
public record AppendReceipt(EventId eventId, Coordinate coordinate, long entitySequence, long globalSequence,
                            long timestampMicros, Hash eventHash) {
}
