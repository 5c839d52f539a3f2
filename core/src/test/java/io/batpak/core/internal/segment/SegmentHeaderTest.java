package io.batpak.core.internal.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.UnsupportedFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class SegmentHeaderTest {
    private static final Path FILE = Path.of("segments", "00000000000000000042.seg");

    private static void recomputeCrc(ByteBuffer b) {
        CRC32C crc = new CRC32C();
        for (int i = 0; i < 60; i++) {
            crc.update(b.get(i));
        }
        b.putInt(60, (int) crc.getValue());
    }

    @Test
    void roundTrip() {
        for (long first : new long[] {0, 1, 42, 1L << 40, Long.MAX_VALUE}) {
            ByteBuffer b = new SegmentHeader(first, 1_700_000_000_000_000L + first).encode();
            assertEquals(SegmentHeader.LENGTH, b.remaining());
            SegmentHeader h = SegmentHeader.decode(b, FILE);
            assertEquals(first, h.firstGlobalSequence());
            assertEquals(1_700_000_000_000_000L + first, h.createdMicros());
        }
    }

    @Test
    void encodingFollowsTheDocumentedLayout() {
        ByteBuffer b = new SegmentHeader(42, 123456789L).encode().order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[8];
        b.get(0, magic);
        assertEquals("BATPAKSG", new String(magic, StandardCharsets.US_ASCII));
        assertEquals(2, b.getShort(8));
        assertEquals(64, b.getShort(10));
        assertEquals(0, b.getInt(12));
        assertEquals(42, b.getLong(16));
        assertEquals(123456789L, b.getLong(24));
        for (int i = 32; i < 60; i++) {
            assertEquals(0, b.get(i), "reserved byte " + i);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 60);
        assertEquals((int) crc.getValue(), b.getInt(60));
    }

    @Test
    void decodeDoesNotDependOnTheBufferOrderOrPosition() {
        ByteBuffer b = new SegmentHeader(7, 8).encode();
        ByteBuffer big = ByteBuffer.allocate(64).order(ByteOrder.BIG_ENDIAN);
        big.put(b.array()).position(13);
        SegmentHeader h = SegmentHeader.decode(big, FILE);
        assertEquals(7, h.firstGlobalSequence());
        assertEquals(13, big.position(), "decode must not move the caller's buffer");
    }

    @Test
    void badMagicIsCorruption() {
        for (int i = 0; i < 8; i++) {
            ByteBuffer b = new SegmentHeader(1, 2).encode();
            b.put(i, (byte) (b.get(i) ^ 0x20));
            recomputeCrc(b);
            CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> SegmentHeader.decode(b, FILE));
            assertTrue(e.reason().contains("magic"), e.reason());
            assertEquals(FILE, e.file());
            assertEquals(0, e.offset());
        }
    }

    @Test
    void anyFlippedBitAfterTheMagicFailsTheChecksum() {
        for (int i = 8; i < 64; i++) {
            for (int bit = 0; bit < 8; bit++) {
                ByteBuffer b = new SegmentHeader(1, 2).encode();
                b.put(i, (byte) (b.get(i) ^ (1 << bit)));
                CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> SegmentHeader.decode(b, FILE),
                        "byte " + i + " bit " + bit);
                assertTrue(e.reason().contains("checksum"), e.reason());
            }
        }
    }

    @Test
    void newerVersionIsUnsupportedNotCorrupt() {
        ByteBuffer b = new SegmentHeader(1, 2).encode().order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(8, (short) 3);
        recomputeCrc(b);
        UnsupportedFormatException e = assertThrows(UnsupportedFormatException.class, () -> SegmentHeader.decode(b, FILE));
        assertTrue(e.getMessage().contains("format version 3"), e.getMessage());
        assertTrue(e.getMessage().contains(FILE.toString()), e.getMessage());
        assertEquals(3, e.foundVersion());
        assertEquals(2, e.supportedVersion());

        ByteBuffer max = new SegmentHeader(1, 2).encode().order(ByteOrder.LITTLE_ENDIAN);
        max.putShort(8, (short) 0xFFFF);
        recomputeCrc(max);
        assertTrue(assertThrows(UnsupportedFormatException.class, () -> SegmentHeader.decode(max, FILE))
                .getMessage().contains("format version 65535"));
    }

    @Test
    void versionOneIsRefusedAsUnsupportedNamingTheVersion() {
        ByteBuffer b = new SegmentHeader(1, 2).encode().order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(8, (short) 1);
        recomputeCrc(b);
        UnsupportedFormatException e = assertThrows(UnsupportedFormatException.class, () -> SegmentHeader.decode(b, FILE));
        assertTrue(e.getMessage().contains("format version 1"), e.getMessage());
        assertTrue(e.getMessage().contains("reads only version 2"), e.getMessage());
        assertEquals(1, e.foundVersion());
    }

    @Test
    void newerVersionWithoutValidChecksumIsCorrupt() {
        ByteBuffer b = new SegmentHeader(1, 2).encode().order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(8, (short) 3);
        assertThrows(CorruptStoreException.class, () -> SegmentHeader.decode(b, FILE));
    }

    @Test
    void versionZeroOrWrongHeaderLengthIsCorrupt() {
        ByteBuffer v0 = new SegmentHeader(1, 2).encode().order(ByteOrder.LITTLE_ENDIAN);
        v0.putShort(8, (short) 0);
        recomputeCrc(v0);
        assertThrows(CorruptStoreException.class, () -> SegmentHeader.decode(v0, FILE));

        ByteBuffer len = new SegmentHeader(1, 2).encode().order(ByteOrder.LITTLE_ENDIAN);
        len.putShort(10, (short) 128);
        recomputeCrc(len);
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> SegmentHeader.decode(len, FILE));
        assertTrue(e.reason().contains("length"), e.reason());
    }

    @Test
    void segmentFileNamesEncodeTheFirstGlobalSequence() {
        assertEquals("00000000000000000000.seg", SegmentFiles.fileName(0));
        assertEquals("00000000000000000042.seg", SegmentFiles.fileName(42));
        assertEquals("09223372036854775807.seg", SegmentFiles.fileName(Long.MAX_VALUE));
        for (long v : new long[] {0, 1, 999, 123_456_789_012L, Long.MAX_VALUE}) {
            assertEquals(v, SegmentFiles.parse(SegmentFiles.fileName(v)));
        }
        assertEquals(-1, SegmentFiles.parse("42.seg"));
        assertEquals(-1, SegmentFiles.parse("0000000000000000004a.seg"));
        assertEquals(-1, SegmentFiles.parse("00000000000000000042.tmp"));
        assertEquals(-1, SegmentFiles.parse("index.ckpt"));
    }
}
