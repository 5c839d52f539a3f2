package io.batpak.core;

import io.batpak.core.error.InvalidInputException;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.Blake3Digest;

/** A 32-byte BLAKE3 digest. Immutable and thread-safe (the array is copied in and out). */
public final class Hash {
    /** Length in bytes. */
    public static final int LENGTH = 32;
    /** All zeros: the prevHash of an entity's first event. */
    public static final Hash ZERO = new Hash(new byte[LENGTH]);

    private final byte[] bytes;

    private Hash(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Wraps a copy of {@code bytes}, which must be 32 bytes long. */
    public static Hash of(byte[] bytes) {
        InvalidInputException.requireArgument(bytes, "bytes");
        if (bytes.length != LENGTH) {
            throw new InvalidInputException("bytes", "invalid argument bytes: a hash is 32 bytes, was " + bytes.length);
        }
        return new Hash(bytes.clone());
    }

    /** BLAKE3-256 of {@code data} (how a frame's payload digest is computed). */
    public static Hash blake3(byte[] data) {
        InvalidInputException.requireArgument(data, "data");
        Blake3Digest d = new Blake3Digest(LENGTH * 8);
        d.update(data, 0, data.length);
        byte[] out = new byte[LENGTH];
        d.doFinal(out, 0);
        return new Hash(out);
    }

    /** Copies 32 bytes from {@code src} at {@code offset}. */
    public static Hash copyOf(byte[] src, int offset) {
        InvalidInputException.requireArgument(src, "src");
        return new Hash(Arrays.copyOfRange(src, offset, offset + LENGTH));
    }

    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** Copies the digest into {@code dst} at {@code offset}. */
    public void copyTo(byte[] dst, int offset) {
        InvalidInputException.requireArgument(dst, "dst");
        System.arraycopy(bytes, 0, dst, offset, LENGTH);
    }

    public boolean isZero() {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash h && Arrays.equals(h.bytes, bytes);
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
