package io.batpak.streams;

import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;

/**
 * The result of one append in {@link BatpakStreams#appendOutcomeFlow}: the receipt, or the typed error with the
 * request that caused it (nothing of a failed append was stored).
 */
public sealed interface AppendOutcome {

    /** The request this outcome belongs to. */
    AppendRequest request();

    /** The append is durable and visible. */
    record Appended(AppendRequest request, AppendReceipt receipt) implements AppendOutcome {
    }

    /** The append failed; {@code error} is typed ({@link io.batpak.core.error.StoreException} subclasses). */
    record Failed(AppendRequest request, Throwable error) implements AppendOutcome {
    }
}
