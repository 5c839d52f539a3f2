package io.batpak.core.error;

/**
 * The subject key store could not create or destroy a key: an I/O error (for example a full disk) in its
 * directory. An append that needed the key was not stored; a {@code forgetSubject} that failed left the key in
 * place (readable, as before the call). The call may be retried.
 */
public final class SubjectKeyStoreException extends StoreException {
    private static final long serialVersionUID = 1L;

    public SubjectKeyStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@link Category#RETRIABLE}. */
    @Override
    public Category category() {
        return Category.RETRIABLE;
    }
}
