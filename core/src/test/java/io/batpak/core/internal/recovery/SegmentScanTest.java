package io.batpak.core.internal.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.EventId;
import io.batpak.core.internal.segment.FrameEncoder;
import io.batpak.core.internal.segment.FrameLayout;
import io.batpak.core.internal.segment.SegmentHeader;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SegmentScanTest {
    private static final int START = SegmentHeader.LENGTH;

    /** Builds segment bytes: the header, then frames placed with consecutive global sequences. */
    private static final class Seg {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final List<Integer> offsets = new ArrayList<>();
        final FrameEncoder enc = new FrameEncoder();
        final long first;
        long next;
        byte[] prev = new byte[32];
        long entitySeq;

        Seg(long first) {
            this.first = first;
            this.next = first;
            out.writeBytes(new SegmentHeader(first, 1).encode().array());
        }

        private byte[] frame(int payloadSize) {
            byte[] hash = new byte[32];
            byte[] payload = new byte[payloadSize];
            Arrays.fill(payload, (byte) (entitySeq + 1));
            byte[] f = enc.encode("e".getBytes(StandardCharsets.UTF_8), "s".getBytes(StandardCharsets.UTF_8), null, payload,
                    0, 0x1001, 0, 0, entitySeq++, 1000 + entitySeq, EventId.generate(), new EventId(1, 1), null, null,
                    prev, hash);
            prev = hash;
            return f;
        }

        /** Appends one atomic group of {@code count} frames (writes only the first {@code written} of them). */
        Seg group(int count, int written) {
            for (int i = 0; i < written; i++) {
                byte[] f = frame(50 + 10 * i);
                ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
                FrameEncoder.place(b, 0, f.length, next++, count, i, new CRC32C());
                offsets.add(out.size());
                out.writeBytes(f);
            }
            return this;
        }

        Seg singles(int n) {
            for (int i = 0; i < n; i++) {
                group(1, 1);
            }
            return this;
        }

        Seg raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        int size() {
            return out.size();
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    private static ByteBuffer buf(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void cleanSegment() {
        Seg s = new Seg(10).singles(3).group(3, 3).singles(1).group(2, 2);
        SegmentScan.Result r = SegmentScan.scan(buf(s.bytes()), START, 10, true);
        assertNull(r.problem());
        assertEquals(s.size(), r.validEnd());
        assertEquals(9, r.frames());
        assertEquals(10, r.firstSequence());
        assertEquals(19, r.nextSequence());
    }

    @Test
    void emptySegmentIsClean() {
        Seg s = new Seg(0);
        SegmentScan.Result r = SegmentScan.scan(buf(s.bytes()), START, 0, true);
        assertNull(r.problem());
        assertEquals(START, r.validEnd());
        assertEquals(0, r.frames());
        assertEquals(0, r.nextSequence());
    }

    @Test
    void scanFromAnOffsetInsideTheSegment() {
        Seg s = new Seg(0).singles(5);
        SegmentScan.Result r = SegmentScan.scan(buf(s.bytes()), s.offsets.get(2), 2, false);
        assertNull(r.problem());
        assertEquals(3, r.frames());
        assertEquals(5, r.nextSequence());
        assertEquals(s.size(), r.validEnd());
    }

    @Test
    void truncatedLastFrameAtEveryCutIsATornTail() {
        Seg s = new Seg(0).singles(4);
        byte[] full = s.bytes();
        int lastStart = s.offsets.get(3);
        for (int cut = lastStart + 1; cut < full.length; cut++) {
            SegmentScan.Result r = SegmentScan.scan(buf(Arrays.copyOf(full, cut)), START, 0, true);
            assertNotNull(r.problem(), "cut at " + cut);
            assertTrue(r.problem().torn(), "cut at " + cut + ": " + r.problem());
            assertEquals(lastStart, r.problem().offset());
            assertEquals(lastStart, r.validEnd(), "valid data ends where the torn frame starts");
            assertEquals(3, r.frames());
            assertEquals(3, r.nextSequence());
        }
    }

    @Test
    void truncatedLastFrameInAnOlderSegmentIsCorruption() {
        Seg s = new Seg(0).singles(4);
        byte[] full = s.bytes();
        int lastStart = s.offsets.get(3);
        SegmentScan.Result r = SegmentScan.scan(buf(Arrays.copyOf(full, lastStart + 100)), START, 0, false);
        assertFalse(r.problem().torn());
        assertEquals(lastStart, r.validEnd());
    }

    @Test
    void badChecksumInTheLastFrameWithNothingAfterIsATornTail() {
        Seg s = new Seg(0).singles(4);
        byte[] bytes = s.bytes();
        int lastStart = s.offsets.get(3);
        bytes[bytes.length - 3] ^= 0x10;
        SegmentScan.Result r = SegmentScan.scan(buf(bytes), START, 0, true);
        assertTrue(r.problem().torn(), r.problem().toString());
        assertEquals("frame checksum mismatch", r.problem().reason());
        assertEquals(lastStart, r.problem().offset());
        assertEquals(lastStart, r.validEnd());
        assertEquals(3, r.nextSequence());
    }

    @Test
    void trailingZerosAfterTheLastFrameAreATornTail() {
        Seg s = new Seg(0).singles(2);
        int end = s.size();
        s.raw(new byte[4096]);
        SegmentScan.Result r = SegmentScan.scan(buf(s.bytes()), START, 0, true);
        assertTrue(r.problem().torn());
        assertEquals(end, r.validEnd());
        assertEquals(end, r.problem().offset());
        assertEquals(2, r.frames());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7})
    void shortPrefixAtTheEndIsATornTail(int extra) {
        Seg s = new Seg(0).singles(2);
        int end = s.size();
        s.raw(new byte[extra]);
        SegmentScan.Result r = SegmentScan.scan(buf(s.bytes()), START, 0, true);
        assertTrue(r.problem().torn());
        assertTrue(r.problem().reason().contains("short frame prefix"), r.problem().reason());
        assertEquals(end, r.validEnd());
    }

    @Test
    void badChecksumInAMiddleFrameFollowedByValidFramesIsCorruption() {
        Seg s = new Seg(0).singles(5);
        byte[] bytes = s.bytes();
        int bad = s.offsets.get(2);
        bytes[bad + FrameLayout.VARIABLE_OFFSET + 3] ^= 1;
        for (boolean newest : new boolean[] {true, false}) {
            SegmentScan.Result r = SegmentScan.scan(buf(bytes), START, 0, newest);
            assertFalse(r.problem().torn(), "valid frames follow: not a torn tail (newest=" + newest + ")");
            assertEquals(bad, r.problem().offset());
            assertEquals(bad, r.validEnd());
            assertEquals(2, r.frames());
            assertEquals(2, r.nextSequence());
        }
    }

    @Test
    void damagedLengthFieldInAMiddleFrameIsCorruption() {
        Seg s = new Seg(0).singles(4);
        byte[] bytes = s.bytes();
        int bad = s.offsets.get(1);
        ByteBuffer b = buf(bytes);
        b.putInt(bad, 0x7FFF_0000);  // runs past the end of the file
        SegmentScan.Result r = SegmentScan.scan(b, START, 0, true);
        assertFalse(r.problem().torn());
        assertEquals(bad, r.validEnd());
        b.putInt(bad, 3);  // below the minimum
        r = SegmentScan.scan(b, START, 0, true);
        assertFalse(r.problem().torn());
        assertEquals(bad, r.validEnd());
    }

    @Test
    void checksumValidFrameWithWrongGlobalSequenceIsCorruptionEvenAtTheEnd() {
        Seg s = new Seg(0).singles(3);
        SegmentScan.Result r = SegmentScan.scan(buf(s.bytes()), START, 1, true);
        assertFalse(r.problem().torn());
        assertTrue(r.problem().reason().contains("global sequence 0, expected 1"), r.problem().reason());
        assertEquals(START, r.validEnd());
        assertEquals(0, r.frames());

        // A gap in the last frame's sequence.
        Seg gap = new Seg(0).singles(2);
        gap.next++;
        gap.singles(1);
        r = SegmentScan.scan(buf(gap.bytes()), START, 0, true);
        assertFalse(r.problem().torn());
        assertEquals(gap.offsets.get(2), (int) r.validEnd());
    }

    @Test
    void incompleteAtomicGroupAtTheEndOfTheNewestSegmentIsATornTail() {
        Seg s = new Seg(0).singles(2);
        int groupStart = s.size();
        s.group(4, 3);
        SegmentScan.Result r = SegmentScan.scan(buf(s.bytes()), START, 0, true);
        assertNotNull(r.problem());
        assertTrue(r.problem().torn());
        assertEquals(groupStart, r.problem().offset());
        assertEquals(groupStart, r.validEnd(), "the whole cut batch is dropped");
        assertEquals(2, r.frames());
        assertEquals(2, r.nextSequence());
        assertTrue(r.problem().reason().contains("ends after 3 frames"), r.problem().reason());
    }

    @Test
    void incompleteAtomicGroupInAnOlderSegmentIsCorruption() {
        Seg s = new Seg(0).singles(2);
        int groupStart = s.size();
        s.group(4, 3);
        SegmentScan.Result r = SegmentScan.scan(buf(s.bytes()), START, 0, false);
        assertFalse(r.problem().torn());
        assertEquals(groupStart, r.problem().offset());
        assertEquals(groupStart, r.validEnd());
        assertEquals(2, r.nextSequence());
    }

    @Test
    void tornFrameInsideAGroupDropsTheWholeGroup() {
        Seg s = new Seg(0).singles(1).group(3, 3);
        byte[] full = s.bytes();
        int groupStart = s.offsets.get(1);
        int third = s.offsets.get(3);
        SegmentScan.Result r = SegmentScan.scan(buf(Arrays.copyOf(full, third + 20)), START, 0, true);
        assertTrue(r.problem().torn());
        assertEquals(third, r.problem().offset(), "the problem is reported where the bad frame starts");
        assertEquals(groupStart, r.validEnd(), "but valid data ends at the start of its group");
        assertEquals(1, r.frames());
        assertEquals(1, r.nextSequence());
    }

    @Test
    void interruptedGroupIsCorruption() {
        // A group of 3 whose third frame is replaced by a single append: contents contradict their neighbours.
        Seg s = new Seg(0).group(3, 2).singles(1);
        SegmentScan.Result r = SegmentScan.scan(buf(s.bytes()), START, 0, true);
        assertFalse(r.problem().torn());
        assertEquals(START, r.validEnd());
        assertTrue(r.problem().reason().contains("interrupted"), r.problem().reason());
    }

    @Test
    void groupWithoutItsStartIsCorruption() {
        Seg s = new Seg(0).singles(1);
        byte[] f = s.frame(30);
        FrameEncoder.place(buf(f), 0, f.length, 1, 3, 1, new CRC32C());
        int at = s.size();
        s.raw(f);
        SegmentScan.Result r = SegmentScan.scan(buf(s.bytes()), START, 0, true);
        assertFalse(r.problem().torn());
        assertEquals(at, r.validEnd());
        assertTrue(r.problem().reason().contains("without its start"), r.problem().reason());
    }

    @Test
    void validFrameFollowsOnlyFindsChecksumValidFramesWithPlausibleSequences() {
        Seg s = new Seg(0).singles(3);
        ByteBuffer b = buf(s.bytes());
        assertTrue(SegmentScan.validFrameFollows(b, s.offsets.get(1) + 1, 2));
        assertFalse(SegmentScan.validFrameFollows(b, s.offsets.get(2) + 1, 0));
        assertFalse(SegmentScan.validFrameFollows(b, s.offsets.get(1) + 1, 3), "sequences below the minimum are ignored");
    }
}
