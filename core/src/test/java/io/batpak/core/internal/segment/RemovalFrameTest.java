package io.batpak.core.internal.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The removal frame's layout: round trip, anchors, and the structural checks of a checksum-valid frame. */
class RemovalFrameTest {
    private static byte[] hash(int seed) {
        byte[] h = new byte[32];
        for (int i = 0; i < 32; i++) {
            h[i] = (byte) (seed * 13 + i);
        }
        return h;
    }

    private static ByteBuffer encoded() {
        RemovalFrame.Builder b = new RemovalFrame.Builder();
        b.add(100, "order:1", 0, hash(1));
        b.add(101, "order:2", 0, hash(2));
        b.add(102, "order:1", 1, hash(3));
        b.add(103, "orders:é", 5, hash(4));
        ByteBuffer buf = ByteBuffer.allocate(b.size()).order(ByteOrder.LITTLE_ENDIAN);
        int size = b.size();
        b.encodeTo(buf);
        assertEquals(size, buf.position());
        assertTrue(b.isEmpty(), "encoding empties the builder");
        return buf.flip();
    }

    @Test
    void roundTripKeepsEveryEntryAndOneAnchorPerEntityAtItsLastRemovedEvent() {
        ByteBuffer buf = encoded();
        FrameView v = new FrameView().wrap(buf, 0);
        assertNull(v.validate());
        assertTrue(v.isRemoval());
        assertEquals(100, v.globalSequence());
        assertEquals(4, v.sequenceSpan());
        RemovalFrame.Decoded d = v.removal();
        assertEquals(List.of("order:1", "order:2", "orders:é"), d.names());
        assertArrayEquals(new int[] {0, 1, 0, 2}, d.entityOf());
        assertArrayEquals(hash(3), d.anchor("order:1", 1));
        assertNull(d.anchor("order:1", 0), "only the last removed event of an entity is an anchor");
        assertArrayEquals(hash(2), d.anchor("order:2", 0));
        assertArrayEquals(hash(4), d.anchor("orders:é", 5));
    }

    @Test
    void aRunMustBeContiguous() {
        RemovalFrame.Builder b = new RemovalFrame.Builder();
        b.add(7, "a", 0, hash(1));
        assertThrows(IllegalStateException.class, () -> b.add(9, "a", 1, hash(2)));
    }

    @Test
    void structuralDamageUnderAValidChecksumIsReported() {
        assertProblem(RemovalFrame.REMOVED_COUNT_OFFSET, 0, "inconsistent");
        assertProblem(RemovalFrame.ANCHOR_COUNT_OFFSET, 2, "inconsistent");
        assertProblem(FrameLayout.BATCH_COUNT_OFFSET, 2, "group of one");
        assertProblem(FrameLayout.VARIABLE_OFFSET, 0, "bad length 0");
        ByteBuffer buf = encoded();
        int entries = buf.limit() - 3 * (4 + 8 + 32) - 4 * 4;
        buf.putInt(entries, 9);
        reCrc(buf);
        assertTrue(new FrameView().wrap(buf, 0).validate().contains("names entity 9"));
    }

    private static void assertProblem(int offset, int value, String expected) {
        ByteBuffer buf = encoded();
        if (offset == FrameLayout.VARIABLE_OFFSET) {
            buf.putShort(offset, (short) value);
        } else {
            buf.putInt(offset, value);
        }
        reCrc(buf);
        String problem = new FrameView().wrap(buf, 0).validate();
        assertTrue(problem != null && problem.contains(expected), problem);
    }

    private static void reCrc(ByteBuffer buf) {
        CRC32C crc = new CRC32C();
        ByteBuffer covered = buf.duplicate();
        covered.position(FrameLayout.PREFIX_LENGTH).limit(buf.limit());
        crc.update(covered);
        buf.putInt(FrameLayout.CRC_OFFSET, (int) crc.getValue());
    }
}
