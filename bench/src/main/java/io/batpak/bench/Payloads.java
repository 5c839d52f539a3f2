package io.batpak.bench;

import java.util.Random;

/** Incompressible payloads of a given size, the same bytes in every run. */
final class Payloads {
    private Payloads() {
    }

    static byte[] of(int size) {
        byte[] b = new byte[size];
        new Random(size * 31L + 7).nextBytes(b);
        return b;
    }

    /** Writes {@code nanos} big-endian into the first 8 bytes of {@code payload}. */
    static void stamp(byte[] payload, long nanos) {
        for (int i = 0; i < 8; i++) {
            payload[i] = (byte) (nanos >>> (56 - 8 * i));
        }
    }

    /** The value {@link #stamp(byte[], long)} wrote. */
    static long stamp(byte[] payload) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (payload[i] & 0xFF);
        }
        return v;
    }
}
