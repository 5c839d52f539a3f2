package io.batpak.core.error;

/**
 * The bounded writer queue ({@code batpak.writer-queue-bound} appends in flight) is full. Nothing was written;
 * retry later or slow down. Fails fast instead of growing memory.
 */
public final class StoreOverloadedException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreOverloadedException(int inFlight, int bound) {
        super("store overloaded: " + inFlight + " appends in flight, bound is " + bound
                + " (batpak.writer-queue-bound); nothing was written");
    }

    /** {@link Category#RETRIABLE}. */
    @Override
    public Category category() {
        return Category.RETRIABLE;
    }
}
