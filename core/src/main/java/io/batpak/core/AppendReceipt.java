package io.batpak.core;

import java.util.Optional;

/**
 * Proof that an append was committed: returned only once the event is durable under the sync mode in force
 * and visible to readers. A retried idempotent append returns a receipt equal to the original one.
 *
 * <p>When the store has {@linkplain StoreConfig#signingKeys() signing keys}, every receipt it returns is signed
 * with the newest of them: {@link #signature()} holds the signing key's {@link KeyId} and an Ed25519 signature over
 * every other field (the exact bytes are {@link ReceiptSigner#signedBytes}). Otherwise {@code signature} is null and
 * the receipt is unsigned. Check a receipt with {@code verifyReceipt} of the store, or offline with
 * {@link ReceiptSigner#checkSignature}.
 *
 * @param signature the key id and signature, or null for an unsigned receipt
 */
public record AppendReceipt(EventId eventId, Coordinate coordinate, long entitySequence, long globalSequence,
                            long timestampMicros, Hash eventHash, ReceiptSignature signature) {

    /** An unsigned receipt. */
    public AppendReceipt(EventId eventId, Coordinate coordinate, long entitySequence, long globalSequence,
                         long timestampMicros, Hash eventHash) {
        this(eventId, coordinate, entitySequence, globalSequence, timestampMicros, eventHash, null);
    }

    /** Whether the receipt carries a signature. */
    public boolean signed() {
        return signature != null;
    }

    /** The id of the key that signed it; empty for an unsigned receipt. */
    public Optional<KeyId> keyId() {
        return signature == null ? Optional.empty() : Optional.of(signature.keyId());
    }

    /** This receipt without its signature. */
    public AppendReceipt unsigned() {
        return signature == null ? this
                : new AppendReceipt(eventId, coordinate, entitySequence, globalSequence, timestampMicros, eventHash);
    }

    /** This receipt with {@code signature} (null: unsigned). */
    public AppendReceipt withSignature(ReceiptSignature signature) {
        return new AppendReceipt(eventId, coordinate, entitySequence, globalSequence, timestampMicros, eventHash,
                signature);
    }
}
