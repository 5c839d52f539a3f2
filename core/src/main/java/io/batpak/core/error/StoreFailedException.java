package io.batpak.core.error;

/**
 * The store hit an I/O error it could not recover from and no longer accepts appends. Reads keep working on
 * everything that was acknowledged. Reopen the store (after fixing the cause) to append again.
 */
public final class StoreFailedException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
