package io.batpak.actors.internal;

/**
 * Where the outcome of an append or an atomic batch goes: exactly one {@link WriteOutcome} per command. Either an
 * actor (a message adapter's {@code tell}) or the caller's pending append, completed where the outcome is produced
 * without a further hand-off. Implementations are thread-safe, never block and never throw.
 */
@FunctionalInterface
public interface OutcomeReceiver {
    /** Delivers the outcome; called once, from any thread. */
    void tell(WriteOutcome outcome);
}
