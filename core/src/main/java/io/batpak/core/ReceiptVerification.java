package io.batpak.core;

/**
 * The result of checking an {@link AppendReceipt} against a store ({@code verifyReceipt}) or against a set of
 * public keys ({@link ReceiptSigner#checkSignature}). Checks run in this order and the first failure is reported:
 * the event exists, its coordinate, entity sequence, global sequence and timestamp equal the receipt's, the
 * receipt's eventHash equals both the stored eventHash and the BLAKE3 recomputed over the stored frame, and then
 * the signature.
 *
 * <p>Signature rules: a signed receipt is valid only if its key id names a configured signing or verifying key and
 * the Ed25519 signature over {@link ReceiptSigner#signedBytes} holds. An unsigned receipt is valid only when the
 * store has no signing key; while it has one, every receipt it issues is signed, so an unsigned receipt is
 * {@link Outcome#UNSIGNED_REJECTED} (a stripped signature is no downgrade path).
 *
 * @param outcome what was found
 * @param detail a human-readable description (which values differed)
 */
public record ReceiptVerification(Outcome outcome, String detail) {

    /** What a receipt check found. */
    public enum Outcome {
        /** Matches the stored event and carries a valid signature of a configured key. */
        SIGNED(true),
        /** Matches the stored event, carries no signature, and the store signs nothing. */
        UNSIGNED(true),
        /** No visible event has the receipt's event id. */
        EVENT_NOT_FOUND(false),
        /** The stored event has another entity or scope. */
        COORDINATE_MISMATCH(false),
        /** The stored event has another entity sequence. */
        ENTITY_SEQUENCE_MISMATCH(false),
        /** The stored event has another global sequence. */
        GLOBAL_SEQUENCE_MISMATCH(false),
        /** The stored event has another timestamp. */
        TIMESTAMP_MISMATCH(false),
        /** The receipt's eventHash differs from the stored one, or the stored frame no longer hashes to it. */
        EVENT_HASH_MISMATCH(false),
        /** The receipt is unsigned but the store signs every receipt. */
        UNSIGNED_REJECTED(false),
        /** The receipt's key id is not one of the configured signing or verifying keys. */
        UNKNOWN_KEY(false),
        /** The signature does not verify with the named key (forged, or a signed field or the signature altered). */
        INVALID_SIGNATURE(false);

        private final boolean valid;

        Outcome(boolean valid) {
            this.valid = valid;
        }

        public boolean valid() {
            return valid;
        }
    }

    /** Whether the receipt was accepted ({@link Outcome#SIGNED} or {@link Outcome#UNSIGNED}). */
    public boolean valid() {
        return outcome.valid();
    }

    static ReceiptVerification of(Outcome outcome, String detail) {
        return new ReceiptVerification(outcome, detail);
    }
}
