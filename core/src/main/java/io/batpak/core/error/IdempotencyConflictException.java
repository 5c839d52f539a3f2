package io.batpak.core.error;

import io.batpak.core.IdempotencyKey;

/**
 * An idempotency key the store already holds (or has in flight) was reused for a different coordinate, kind or
 * payload, or for a batch that only partly matches the batch that used it first.
 */
public final class IdempotencyConflictException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final IdempotencyKey key;

    public IdempotencyConflictException(IdempotencyKey key, String detail) {
        super("idempotency key " + key + " was already used for a different append: " + detail);
        this.key = key;
    }

    public IdempotencyKey key() {
        return key;
    }

    /** {@link Category#CONFLICT}. */
    @Override
    public Category category() {
        return Category.CONFLICT;
    }
}
