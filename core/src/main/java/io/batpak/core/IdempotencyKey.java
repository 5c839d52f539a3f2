package io.batpak.core;

import io.batpak.core.error.InvalidAppendException;
import java.util.UUID;

/**
 * A caller-chosen 128-bit key that makes an append idempotent: a retry with the same key returns the original
 * receipt instead of appending again. The all-zero key is not allowed (it means "none" on disk).
 * Immutable and thread-safe.
 */
public record IdempotencyKey(long msb, long lsb) implements java.io.Serializable {

    public IdempotencyKey {
        if (msb == 0 && lsb == 0) {
            throw new InvalidAppendException("idempotency key must not be all zero");
        }
    }

    public static IdempotencyKey of(UUID uuid) {
        if (uuid == null) {
            throw new InvalidAppendException("idempotency key must not be null");
        }
        return new IdempotencyKey(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
    }

    public static IdempotencyKey of(long msb, long lsb) {
        return new IdempotencyKey(msb, lsb);
    }

    @Override
    public String toString() {
        return new UUID(msb, lsb).toString();
    }
}
