package io.batpak.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.error.InvalidInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HashTest {

    private static byte[] random(long seed) {
        byte[] b = new byte[Hash.LENGTH];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void bytesRoundTripThroughEveryWayIn() {
        byte[] b = random(1);
        byte[] framed = new byte[Hash.LENGTH + 13];
        System.arraycopy(b, 0, framed, 7, Hash.LENGTH);
        Hash h = Hash.of(b);
        assertArrayEquals(b, h.toByteArray());
        assertEquals(h, Hash.copyOf(framed, 7));
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            ByteBuffer heap = ByteBuffer.wrap(framed).order(order);
            ByteBuffer direct = ByteBuffer.allocateDirect(framed.length).order(order);
            direct.put(framed).position(3);
            assertEquals(h, Hash.copyOf(heap, 7), order.toString());
            assertEquals(h, Hash.copyOf(direct, 7), order.toString());
            assertEquals(3, direct.position(), "the buffer's position is not changed");
        }
        byte[] out = new byte[40];
        h.copyTo(out, 8);
        assertArrayEquals(b, java.util.Arrays.copyOfRange(out, 8, 40));
        assertEquals(HexFormat.of().formatHex(b), h.toString());
    }

    @Test
    void aHashOwnsItsDigest() {
        byte[] b = random(2);
        Hash h = Hash.of(b);
        b[0] ^= 1;
        assertNotEquals(Hash.of(b), h, "changing the array given does not change the hash");
        byte[] out = h.toByteArray();
        out[5] ^= 1;
        assertNotSame(out, h.toByteArray());
        assertEquals(Hash.of(random(2)), h);
    }

    @Test
    void equalityFollowsEveryByte() {
        byte[] b = random(3);
        Hash h = Hash.of(b);
        for (int i = 0; i < Hash.LENGTH; i++) {
            byte[] c = b.clone();
            c[i] ^= (byte) 0x80;
            assertNotEquals(h, Hash.of(c), "byte " + i);
        }
        assertEquals(h.hashCode(), Hash.of(b.clone()).hashCode());
        assertTrue(Hash.ZERO.isZero());
        assertTrue(Hash.of(new byte[Hash.LENGTH]).isZero());
        assertFalse(h.isZero());
        assertEquals(Hash.ZERO, Hash.of(new byte[Hash.LENGTH]));
    }

    @Test
    void blake3OfTheEmptyInputIsTheKnownDigest() {
        assertEquals("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", Hash.blake3(new byte[0]).toString());
    }

    @Test
    void badInputIsRefusedByName() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Hash.of(new byte[31]));
        assertTrue(e.getMessage().contains("32 bytes"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> Hash.copyOf(new byte[40], 9));
        assertThrows(IndexOutOfBoundsException.class, () -> Hash.copyOf(ByteBuffer.allocate(40), 9));
        assertThrows(IndexOutOfBoundsException.class, () -> Hash.ZERO.copyTo(new byte[40], 9));
        assertThrows(InvalidInputException.class, () -> Hash.of(null));
    }
}
