package io.batpak.core;

import io.batpak.core.error.InvalidInputException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * A 32-byte BLAKE3 digest. Immutable and thread-safe: the digest is held as four longs, copied in from and out to
 * arrays, so no array is shared and reading a hash from a frame allocates only this object.
 */
public final class Hash {
    /** Length in bytes. */
    public static final int LENGTH = 32;
    /** All zeros: the prevHash of an entity's first event. */
    public static final Hash ZERO = new Hash(0, 0, 0, 0);
    /** Bytes 8i to 8i + 7 of the digest, the first byte most significant. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final long w0;
    private final long w1;
    private final long w2;
    private final long w3;

    private Hash(long w0, long w1, long w2, long w3) {
        this.w0 = w0;
        this.w1 = w1;
        this.w2 = w2;
        this.w3 = w3;
    }

    /** A copy of {@code bytes}, which must be 32 bytes long. */
    public static Hash of(byte[] bytes) {
        InvalidInputException.requireArgument(bytes, "bytes");
        if (bytes.length != LENGTH) {
            throw new InvalidInputException("bytes", "invalid argument bytes: a hash is 32 bytes, was " + bytes.length);
        }
        return read(bytes, 0);
    }

    /** BLAKE3-256 of {@code data} (how a frame's payload digest is computed). */
    public static Hash blake3(byte[] data) {
        InvalidInputException.requireArgument(data, "data");
        Blake3Digest d = new Blake3Digest(LENGTH * 8);
        d.update(data, 0, data.length);
        byte[] out = new byte[LENGTH];
        d.doFinal(out, 0);
        return read(out, 0);
    }

    /**
     * Copies 32 bytes from {@code src} at {@code offset}.
     *
     * @throws IndexOutOfBoundsException when fewer than 32 bytes follow {@code offset}
     */
    public static Hash copyOf(byte[] src, int offset) {
        InvalidInputException.requireArgument(src, "src");
        java.util.Objects.checkFromIndexSize(offset, LENGTH, src.length);
        return read(src, offset);
    }

    /**
     * Copies 32 bytes from {@code src} at absolute index {@code index}, whatever the buffer's byte order; the
     * buffer's position is not changed.
     *
     * @throws IndexOutOfBoundsException when fewer than 32 bytes follow {@code index} below the limit
     */
    public static Hash copyOf(java.nio.ByteBuffer src, int index) {
        InvalidInputException.requireArgument(src, "src");
        java.util.Objects.checkFromIndexSize(index, LENGTH, src.limit());
        boolean big = src.order() == ByteOrder.BIG_ENDIAN;
        return new Hash(word(src, index, big), word(src, index + 8, big), word(src, index + 16, big),
                word(src, index + 24, big));
    }

    private static long word(java.nio.ByteBuffer src, int index, boolean big) {
        long w = src.getLong(index);
        return big ? w : Long.reverseBytes(w);
    }

    private static Hash read(byte[] src, int offset) {
        return new Hash((long) LONGS.get(src, offset), (long) LONGS.get(src, offset + 8),
                (long) LONGS.get(src, offset + 16), (long) LONGS.get(src, offset + 24));
    }

    public byte[] toByteArray() {
        byte[] b = new byte[LENGTH];
        copyTo(b, 0);
        return b;
    }

    /**
     * Copies the digest into {@code dst} at {@code offset}.
     *
     * @throws IndexOutOfBoundsException when fewer than 32 bytes follow {@code offset}
     */
    public void copyTo(byte[] dst, int offset) {
        InvalidInputException.requireArgument(dst, "dst");
        java.util.Objects.checkFromIndexSize(offset, LENGTH, dst.length);
        LONGS.set(dst, offset, w0);
        LONGS.set(dst, offset + 8, w1);
        LONGS.set(dst, offset + 16, w2);
        LONGS.set(dst, offset + 24, w3);
    }

    public boolean isZero() {
        return (w0 | w1 | w2 | w3) == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash h && h.w0 == w0 && h.w1 == w1 && h.w2 == w2 && h.w3 == w3;
    }

    @Override
    public int hashCode() {
        // A digest's bits are already uniform: its first four bytes are as good a hash code as any.
        return (int) (w0 >>> 32);
    }

    /** Lower-case hex. */
    @Override
    public String toString() {
        return HexFormat.of().formatHex(toByteArray());
    }
}
