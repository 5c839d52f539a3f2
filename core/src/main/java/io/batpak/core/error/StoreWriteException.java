package io.batpak.core.error;

/**
 * An I/O error (for example disk full) failed this append. It was not acknowledged and is not stored; the
 * store truncated the partial write and keeps accepting appends, so the append may be retried.
 */
public final class StoreWriteException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreWriteException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@link Category#RETRIABLE}. */
    @Override
    public Category category() {
        return Category.RETRIABLE;
    }
}
