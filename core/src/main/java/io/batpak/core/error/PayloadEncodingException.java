package io.batpak.core.error;

/** A payload could not be encoded to, or decoded from, CBOR. */
public final class PayloadEncodingException extends StoreException {
    private static final long serialVersionUID = 1L;

    public PayloadEncodingException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@link Category#INVALID_INPUT}. */
    @Override
    public Category category() {
        return Category.INVALID_INPUT;
    }
}
