package io.batpak.core;

import io.batpak.core.error.InvalidInputException;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * An Ed25519 public key that receipt signatures are checked against (RFC 8032, 32-byte encoding). A store
 * verifies receipts signed by any of its {@link StoreConfig#signingKeys() signing keys} and
 * {@link StoreConfig#verifyingKeys() verifying keys}. Immutable and thread-safe.
 */
public final class VerifyingKey {
    /** Length of the encoded public key in bytes. */
    public static final int LENGTH = 32;

    private final byte[] encoded;
    private final KeyId keyId;
    private final Ed25519PublicKeyParameters params;

    private VerifyingKey(byte[] encoded) {
        this.encoded = encoded;
        this.keyId = KeyId.ofPublicKey(encoded);
        this.params = new Ed25519PublicKeyParameters(encoded, 0);
    }

    /**
     * The public key with this 32-byte encoding.
     *
     * @throws InvalidInputException when it is not 32 bytes long or not a valid Ed25519 point encoding
     */
    public static VerifyingKey of(byte[] encoded) {
        InvalidInputException.requireArgument(encoded, "encoded");
        if (encoded.length != LENGTH) {
            throw new InvalidInputException("encoded", "invalid argument encoded: an Ed25519 public key is " + LENGTH
                    + " bytes, was " + encoded.length);
        }
        try {
            return new VerifyingKey(encoded.clone());
        } catch (RuntimeException e) {
            throw new InvalidInputException("encoded", "invalid argument encoded: not an Ed25519 public key: "
                    + e.getMessage(), e);
        }
    }

    /** The key id: first 16 bytes of BLAKE3-256 of {@link #encoded()}. */
    public KeyId keyId() {
        return keyId;
    }

    /** A copy of the 32-byte encoding. */
    public byte[] encoded() {
        return encoded.clone();
    }

    /** Whether {@code signature} is this key's valid Ed25519 signature of {@code message}. */
    public boolean verify(byte[] message, byte[] signature) {
        InvalidInputException.requireArgument(message, "message");
        InvalidInputException.requireArgument(signature, "signature");
        if (signature == null || signature.length != ReceiptSignature.LENGTH) {
            return false;
        }
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, params);
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VerifyingKey k && Arrays.equals(k.encoded, encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return "VerifyingKey[" + keyId + " " + HexFormat.of().formatHex(encoded) + "]";
    }
}
