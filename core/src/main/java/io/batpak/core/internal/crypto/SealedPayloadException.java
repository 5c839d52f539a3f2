package io.batpak.core.internal.crypto;

/** A sealed payload whose key is present fails authentication or is malformed: the stored bytes were changed. */
public final class SealedPayloadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SealedPayloadException(String message) {
        super(message);
    }
}
