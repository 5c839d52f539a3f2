package io.batpak.actors;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for a condition in tests: polls until it holds, failing with what was awaited after a bound. */
public final class Polling {
    private static final long POLL_MILLIS = 2;

    private Polling() {
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} after {@code timeout}. */
    public static void eventually(String what, BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
