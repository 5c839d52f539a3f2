package io.batpak.projections;

import io.batpak.core.error.InvalidInputException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Key and value encodings that sort as expected under LMDB's unsigned byte order: UTF-8 strings, and longs as 8
 * big-endian bytes with the sign bit flipped (so negative numbers sort first). Thread-safe (stateless).
 */
public final class Keys {
    private static final long SIGN = Long.MIN_VALUE;

    private Keys() {
    }

    /** UTF-8 bytes of {@code s}. */
    public static byte[] of(String s) {
        return InvalidInputException.requireArgument(s, "s").getBytes(StandardCharsets.UTF_8);
    }

    /** The string of UTF-8 bytes. */
    public static String toString(byte[] utf8) {
        return new String(utf8, StandardCharsets.UTF_8);
    }

    /** 8 bytes that sort like {@code v}. */
    public static byte[] ofLong(long v) {
        return ByteBuffer.allocate(8).putLong(v ^ SIGN).array();
    }

    /** The long of {@link #ofLong}. */
    public static long toLong(byte[] b) {
        if (b.length != 8) {
            throw new InvalidInputException("b", "a long key or value has 8 bytes, not " + b.length);
        }
        return ByteBuffer.wrap(b).getLong() ^ SIGN;
    }

    /** {@code a} followed by {@code b}: composite keys such as (customer, day). */
    public static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
