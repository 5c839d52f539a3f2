package io.batpak.core.error;

/**
 * Base class of every error the store reports. All store errors are unchecked; each subclass names the
 * offending input or the file and offset where a problem was found.
 */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
