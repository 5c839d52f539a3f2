package io.batpak.core.error;

import java.time.Duration;

/**
 * An append or atomic batch did not complete within its configured timeout ({@code batpak.append-timeout}, or
 * {@code batpak.batch-timeout} while a batch held its entities). Its outcome is unknown: it may still be stored.
 * Retry it with the same idempotency key, which returns the original receipt if it was stored and stores it once
 * if not.
 */
public final class StoreTimeoutException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final Duration timeout;

    public StoreTimeoutException(String what, Duration timeout) {
        super(what + " did not complete within " + timeout.toMillis() + " ms; it may or may not have been stored;"
                + " retry it with the same idempotency key");
        this.timeout = timeout;
    }

    /** The timeout that elapsed. */
    public Duration timeout() {
        return timeout;
    }

    /** {@link Category#RETRIABLE}. */
    @Override
    public Category category() {
        return Category.RETRIABLE;
    }
}
