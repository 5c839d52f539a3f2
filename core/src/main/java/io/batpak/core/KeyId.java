package io.batpak.core;

import io.batpak.core.error.InvalidInputException;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * Identifies an Ed25519 receipt-signing key: the first 16 bytes of {@code BLAKE3-256(publicKey)}, where
 * {@code publicKey} is the 32-byte RFC 8032 encoding of the key's public point. Immutable and thread-safe.
 */
public final class KeyId {
    /** Length in bytes. */
    public static final int LENGTH = 16;

    private final byte[] bytes;

    private KeyId(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Wraps a copy of {@code bytes}, which must be 16 bytes long. */
    public static KeyId of(byte[] bytes) {
        InvalidInputException.requireArgument(bytes, "bytes");
        if (bytes.length != LENGTH) {
            throw new InvalidInputException("bytes", "invalid argument bytes: a key id is " + LENGTH
                    + " bytes, was " + bytes.length);
        }
        return new KeyId(bytes.clone());
    }

    /** The key id of a 32-byte Ed25519 public key: the first 16 bytes of its BLAKE3-256 digest. */
    public static KeyId ofPublicKey(byte[] publicKey) {
        InvalidInputException.requireArgument(publicKey, "publicKey");
        if (publicKey.length != VerifyingKey.LENGTH) {
            throw new InvalidInputException("publicKey", "invalid argument publicKey: an Ed25519 public key is "
                    + VerifyingKey.LENGTH + " bytes");
        }
        Blake3Digest d = new Blake3Digest(256);
        d.update(publicKey, 0, publicKey.length);
        byte[] h = new byte[32];
        d.doFinal(h, 0);
        return new KeyId(Arrays.copyOf(h, LENGTH));
    }

    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** Copies the 16 bytes into {@code dst} at {@code offset}. */
    public void copyTo(byte[] dst, int offset) {
        InvalidInputException.requireArgument(dst, "dst");
        System.arraycopy(bytes, 0, dst, offset, LENGTH);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyId k && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Lower-case hex. */
    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
