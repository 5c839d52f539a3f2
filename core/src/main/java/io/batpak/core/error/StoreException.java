package io.batpak.core.error;

/**
 * Base class of every error the store reports. All store errors are unchecked; each subclass names the
 * offending input or the file and offset where a problem was found, and {@link #category()} says what a caller
 * can do about it without knowing the subclass.
 */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * What a caller can do about an error. Every exception of this package has exactly one category, fixed by its
     * class; a retry policy, a supervisor or a health check can switch on it.
     */
    public enum Category {
        /** The call was wrong (an argument, a setting, a type). Retrying it unchanged fails again; nothing changed. */
        INVALID_INPUT,
        /**
         * The store's state did not allow the call (an expected sequence, an idempotency key, a gate, a lock held by
         * another owner). Nothing was stored; read the current state and decide again.
         */
        CONFLICT,
        /** A transient condition (load, an I/O error that was undone). Nothing was stored; retry the same call later. */
        RETRIABLE,
        /** Stored data failed a check. The damaged data is never served; verify, restore or repair the store. */
        CORRUPTION,
        /** The store instance was closed. Open the store again to continue. */
        UNAVAILABLE,
        /**
         * The store instance cannot continue (an I/O failure it could not undo, an actor that stopped, a file of a
         * newer format). Reads of durable data may still work; close the store, fix the cause and open it again.
         */
        FATAL
    }

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * What a caller can do about this error. A plain {@code StoreException} (not a subclass) reports an unexpected
     * failure of the store and is {@link Category#FATAL}.
     */
    public Category category() {
        return Category.FATAL;
    }
}
