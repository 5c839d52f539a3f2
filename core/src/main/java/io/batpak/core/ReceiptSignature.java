package io.batpak.core;

import io.batpak.core.error.InvalidInputException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The signature part of a signed {@link AppendReceipt}: the {@link KeyId} of the signing key and the 64-byte Ed25519
 * signature over the receipt's signed bytes (see {@link ReceiptSigner#signedBytes}). Immutable and thread-safe.
 */
public final class ReceiptSignature {
    /** Length of an Ed25519 signature in bytes. */
    public static final int LENGTH = 64;

    private final KeyId keyId;
    private final byte[] signature;

    private ReceiptSignature(KeyId keyId, byte[] signature) {
        this.keyId = keyId;
        this.signature = signature;
    }

    /**
     * @throws InvalidInputException when {@code signature} is not 64 bytes long
     */
    public static ReceiptSignature of(KeyId keyId, byte[] signature) {
        InvalidInputException.requireArgument(keyId, "keyId");
        InvalidInputException.requireArgument(signature, "signature");
        if (signature.length != LENGTH) {
            throw new InvalidInputException("signature", "invalid argument signature: an Ed25519 signature is " + LENGTH
                    + " bytes, was " + signature.length);
        }
        return new ReceiptSignature(keyId, signature.clone());
    }

    public KeyId keyId() {
        return keyId;
    }

    /** A copy of the 64 signature bytes. */
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReceiptSignature s && s.keyId.equals(keyId) && Arrays.equals(s.signature, signature);
    }

    @Override
    public int hashCode() {
        return 31 * keyId.hashCode() + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "ReceiptSignature[key=" + keyId + " sig=" + HexFormat.of().formatHex(signature) + "]";
    }
}
