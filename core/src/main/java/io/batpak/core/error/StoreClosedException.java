package io.batpak.core.error;

/** The store was closed (or is closing); the operation was not performed. */
public final class StoreClosedException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreClosedException(String what) {
        super("store is closed: " + what + " was not performed");
    }

    /** {@link Category#UNAVAILABLE}. */
    @Override
    public Category category() {
        return Category.UNAVAILABLE;
    }
}
