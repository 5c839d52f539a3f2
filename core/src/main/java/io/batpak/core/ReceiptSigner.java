package io.batpak.core;

import io.batpak.core.error.InvalidInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Signs and checks append receipts with Ed25519 (RFC 8032, BouncyCastle). The newest (last) configured
 * {@link SigningKey} signs; every configured signing key and {@link VerifyingKey} verifies. Immutable and
 * thread-safe.
 *
 * <h2>Signed bytes</h2>
 * The signature covers exactly {@link #signedBytes(AppendReceipt, KeyId)}; all integers little-endian, a 128-bit
 * id as its most significant then least significant 64 bits:
 * <pre>
 * offset   size field
 *   0        16 domain           ASCII "batpak.receipt.1" (domain separation and layout version)
 *  16        16 keyId            first 16 bytes of BLAKE3-256(signing public key)
 *  32        16 eventId          msb u64, lsb u64
 *  48         8 entitySequence   u64
 *  56         8 globalSequence   u64
 *  64         8 timestampMicros  i64
 *  72        32 eventHash
 * 104         2 entityLength n   u16
 * 106         n entity           UTF-8
 * 106+n       2 scopeLength m    u16
 * 108+n       m scope            UTF-8
 * </pre>
 * Ed25519 signatures are deterministic, so signing the same receipt with the same key again gives the same
 * signature: a retried idempotent append gets a receipt equal to the original while the newest key is unchanged.
 */
public final class ReceiptSigner {
    /** The domain-separation prefix of the signed bytes (16 ASCII bytes). */
    public static final String DOMAIN = "batpak.receipt.1";
    private static final byte[] DOMAIN_BYTES = DOMAIN.getBytes(StandardCharsets.US_ASCII);

    /** A signer with no keys: receipts stay unsigned, only unsigned receipts are accepted. */
    public static final ReceiptSigner NONE = new ReceiptSigner(null, Map.of());

    private final SigningKey signing;
    private final Map<KeyId, VerifyingKey> verifying;

    private ReceiptSigner(SigningKey signing, Map<KeyId, VerifyingKey> verifying) {
        this.signing = signing;
        this.verifying = verifying;
    }

    /**
     * A signer whose newest (last) signing key signs and which verifies with every given key.
     *
     * @param signingKeys oldest first; may be empty (then nothing is signed)
     * @param verifyingKeys public keys that only verify (for example of retired keys); may be empty
     */
    public static ReceiptSigner of(List<SigningKey> signingKeys, Collection<VerifyingKey> verifyingKeys) {
        InvalidInputException.requireArgument(signingKeys, "signingKeys");
        InvalidInputException.requireArgument(verifyingKeys, "verifyingKeys");
        if (signingKeys.isEmpty() && verifyingKeys.isEmpty()) {
            return NONE;
        }
        Map<KeyId, VerifyingKey> all = new LinkedHashMap<>();
        for (SigningKey k : signingKeys) {
            all.put(k.keyId(), k.publicKey());
        }
        for (VerifyingKey k : verifyingKeys) {
            all.put(k.keyId(), k);
        }
        return new ReceiptSigner(signingKeys.isEmpty() ? null : signingKeys.get(signingKeys.size() - 1), Map.copyOf(all));
    }

    /** The signer for a store configuration. */
    public static ReceiptSigner of(StoreConfig config) {
        InvalidInputException.requireArgument(config, "config");
        return of(config.signingKeys(), config.verifyingKeys());
    }

    /** Whether receipts are signed (a signing key is configured). */
    public boolean signs() {
        return signing != null;
    }

    /** The id of the key that signs new receipts, if any. */
    public Optional<KeyId> signingKeyId() {
        return signing == null ? Optional.empty() : Optional.of(signing.keyId());
    }

    /** Ids of every key that verifies. */
    public List<KeyId> verifyingKeyIds() {
        return new ArrayList<>(verifying.keySet());
    }

    /** The receipt signed with the newest signing key, or unchanged (unsigned) when there is none. */
    public AppendReceipt sign(AppendReceipt receipt) {
        InvalidInputException.requireArgument(receipt, "receipt");
        if (signing == null) {
            return receipt.unsigned();
        }
        KeyId id = signing.keyId();
        return receipt.withSignature(ReceiptSignature.of(id, signing.sign(signedBytes(receipt, id))));
    }

    /**
     * Checks only the signature part of a receipt (no store needed): {@link ReceiptVerification.Outcome#SIGNED},
     * {@link ReceiptVerification.Outcome#UNSIGNED} (unsigned, and this signer signs nothing),
     * {@link ReceiptVerification.Outcome#UNSIGNED_REJECTED}, {@link ReceiptVerification.Outcome#UNKNOWN_KEY} or
     * {@link ReceiptVerification.Outcome#INVALID_SIGNATURE}.
     */
    public ReceiptVerification checkSignature(AppendReceipt receipt) {
        InvalidInputException.requireArgument(receipt, "receipt");
        ReceiptSignature s = receipt.signature();
        if (s == null) {
            return signing == null
                    ? ReceiptVerification.of(ReceiptVerification.Outcome.UNSIGNED, "unsigned receipt; the store signs nothing")
                    : ReceiptVerification.of(ReceiptVerification.Outcome.UNSIGNED_REJECTED,
                            "unsigned receipt, but the store signs every receipt (key " + signing.keyId() + ")");
        }
        VerifyingKey key = verifying.get(s.keyId());
        if (key == null) {
            return ReceiptVerification.of(ReceiptVerification.Outcome.UNKNOWN_KEY,
                    "receipt signed by unknown key " + s.keyId());
        }
        if (!key.verify(signedBytes(receipt, s.keyId()), s.signature())) {
            return ReceiptVerification.of(ReceiptVerification.Outcome.INVALID_SIGNATURE,
                    "signature does not verify with key " + s.keyId());
        }
        return ReceiptVerification.of(ReceiptVerification.Outcome.SIGNED, "signed by key " + s.keyId());
    }

    /** The exact bytes a receipt's signature covers when signed by {@code keyId} (layout in the class comment). */
    public static byte[] signedBytes(AppendReceipt r, KeyId keyId) {
        InvalidInputException.requireArgument(r, "r");
        InvalidInputException.requireArgument(keyId, "keyId");
        byte[] entity = r.coordinate().entityBytes();
        byte[] scope = r.coordinate().scopeBytes();
        ByteBuffer b = ByteBuffer.allocate(108 + entity.length + scope.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(DOMAIN_BYTES);
        b.put(keyId.toByteArray());
        b.putLong(r.eventId().msb());
        b.putLong(r.eventId().lsb());
        b.putLong(r.entitySequence());
        b.putLong(r.globalSequence());
        b.putLong(r.timestampMicros());
        b.put(r.eventHash().toByteArray());
        b.putShort((short) entity.length);
        b.put(entity);
        b.putShort((short) scope.length);
        b.put(scope);
        return b.array();
    }

    @Override
    public String toString() {
        return "ReceiptSigner[signs=" + (signing == null ? "-" : signing.keyId()) + ", verifies=" + verifying.keySet() + "]";
    }
}
