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
}
