package io.batpak.core.error;

/**
 * The store can no longer accept appends: an I/O error it could not undo, or one of its actors stopped
 * unexpectedly. {@link #component()} names what failed and {@link #getCause()} why. Every append pending at that
 * moment and every later one fails with this exception; an append that was pending may or may not have been stored
 * (retry it after reopening, with its idempotency key, to find out). Reads keep serving everything durable, and
 * {@code close()} still completes and releases the directory lock. Reopen the store, after fixing the cause, to
 * append again.
 */
public final class StoreFailedException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final String component;

    public StoreFailedException(String message, Throwable cause) {
        this("writer", message, cause);
    }

    /**
     * @param component what failed: {@code writer}, an actor's name, ...
     */
    public StoreFailedException(String component, String message, Throwable cause) {
        super(message, cause);
        this.component = component;
    }

    /** What failed: {@code writer} for an I/O failure of the journal, else the name of the actor that stopped. */
    public String component() {
        return component;
    }

    /** {@link Category#FATAL}. */
    @Override
    public Category category() {
        return Category.FATAL;
    }
}
