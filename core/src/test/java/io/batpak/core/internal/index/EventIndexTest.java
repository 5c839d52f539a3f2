package io.batpak.core.internal.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class EventIndexTest {

    /** Deterministic id of a row so readers can check what they find; increasing in row order, like UUIDv7s. */
    private static long msb(long seq) {
        return ((seq + 1) << 16) | 0x7000L;
    }

    private static long lsb(long seq) {
        return ~seq ^ 0x5DEECE66DL;
    }

    private static byte[] hash(long seq) {
        byte[] h = new byte[32];
        for (int i = 0; i < 8; i++) {
            h[i] = (byte) (seq >>> (8 * i));
        }
        h[31] = 1;
        return h;
    }

    private static void append(EventIndex idx, long seq, String entity, String scope, int kind) {
        EntityState e = idx.entity(entity);
        idx.append(seq, msb(seq), lsb(seq), EventIndex.location((int) (seq % 3), (int) (seq * 10)),
                e, idx.scope(scope), kind, e.count(), hash(seq));
    }

    @Test
    void rowsAreInvisibleUntilPublished() {
        EventIndex idx = new EventIndex();
        assertEquals(-1, idx.visible());
        append(idx, 0, "a", "s", 0x1001);
        append(idx, 1, "a", "s", 0x1002);
        assertEquals(2, idx.size());
        assertEquals(-1, idx.visible());
        assertEquals(-1, idx.find(msb(0), lsb(0)), "find ignores unpublished rows");
        assertThrows(IndexOutOfBoundsException.class, () -> idx.location(0));
        assertThrows(IndexOutOfBoundsException.class, () -> idx.kindAt(0));
        EntityState a = idx.findEntity("a");
        assertEquals(2, a.count(), "the writer sees its appended rows");
        assertEquals(0, idx.visibleCount(a), "readers see none of them");

        idx.publish(0);
        assertEquals(0, idx.visible());
        assertEquals(0, idx.find(msb(0), lsb(0)));
        assertEquals(-1, idx.find(msb(1), lsb(1)), "row 1 is still unpublished");
        assertEquals(1, idx.visibleCount(a));
        assertEquals(0x1001, idx.kindAt(0));
        assertThrows(IndexOutOfBoundsException.class, () -> idx.kindAt(1));
        assertThrows(IndexOutOfBoundsException.class, () -> idx.location(-1));

        idx.publish(1);
        assertEquals(1, idx.find(msb(1), lsb(1)));
        assertEquals(2, idx.visibleCount(a));
        assertEquals(0x1002, idx.kindAt(1));
        assertEquals(1, idx.entitySequenceAt(1));
    }

    @Test
    void publishBeyondTheAppendedRowsIsRefused() {
        EventIndex idx = new EventIndex();
        assertThrows(IllegalStateException.class, () -> idx.publish(0));
        append(idx, 0, "a", "s", 1);
        assertThrows(IllegalStateException.class, () -> idx.publish(1));
        idx.publish(0);
        assertEquals(0, idx.visible());
    }

    @Test
    void outOfOrderAppendThrowsAndLeavesTheIndexUnchanged() {
        EventIndex idx = new EventIndex();
        EntityState e = idx.entity("a");
        int s = idx.scope("s");
        IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> idx.append(1, 1, 1, 0, e, s, 1, 0, hash(1)));
        assertTrue(ex.getMessage().contains("expected 0, got 1"), ex.getMessage());
        append(idx, 0, "a", "s", 1);
        assertThrows(IllegalStateException.class, () -> idx.append(0, 9, 9, 0, e, s, 1, 1, hash(0)));
        assertThrows(IllegalStateException.class, () -> idx.append(5, 9, 9, 0, e, s, 1, 1, hash(5)));
        assertEquals(1, idx.size());
        assertEquals(1, e.count());
        idx.publish(0);
        assertEquals(-1, idx.find(9, 9));
    }

    @Test
    void columnsHoldWhatWasAppended() {
        EventIndex idx = new EventIndex();
        EntityState e = idx.entity("order:1");
        int scope = idx.scope("tenant");
        long loc = EventIndex.location(7, 123_456);
        idx.append(0, 11, 22, loc, e, scope, 0xFEDC, 0, hash(0));
        idx.publish(0);
        assertEquals(11, idx.idMsbAt(0));
        assertEquals(22, idx.idLsbAt(0));
        assertEquals(loc, idx.location(0));
        assertEquals(7, EventIndex.segmentOrdinal(idx.location(0)));
        assertEquals(123_456, EventIndex.segmentOffset(idx.location(0)));
        assertEquals(-1, idx.length(0), "the last visible frame's length is read from its prefix");
        assertEquals(e.id(), idx.entityIdAt(0));
        assertEquals(scope, idx.scopeIdAt(0));
        assertEquals(0xFEDC, idx.kindAt(0), "kinds above 0x7FFF read back unsigned");
        assertEquals(0, idx.entitySequenceAt(0));
    }

    @Test
    void lengthFollowsFromTheNextFrameInTheSameSegment() {
        EventIndex idx = new EventIndex();
        EntityState e = idx.entity("e");
        int scope = idx.scope("s");
        idx.append(0, 1, 1, EventIndex.location(0, 64), e, scope, 1, 0, hash(0));
        idx.append(1, 2, 2, EventIndex.location(0, 300), e, scope, 1, 1, hash(1));
        idx.append(2, 3, 3, EventIndex.location(1, 64), e, scope, 1, 2, hash(2));
        idx.append(3, 4, 4, EventIndex.location(1, 500), e, scope, 1, 3, hash(3));
        idx.publish(2);
        assertEquals(236, idx.length(0));
        assertEquals(-1, idx.length(1), "last frame of its segment");
        assertEquals(-1, idx.length(2), "last visible frame: the next row is not published");
        idx.publish(3);
        assertEquals(436, idx.length(2));
    }

    @Test
    void locationPacksOrdinalAndOffset() {
        int[] ordinals = {0, 1, 12345, Integer.MAX_VALUE};
        int[] offsets = {0, 64, (1 << 30) - 1, 1 << 30, Integer.MAX_VALUE};
        Set<Long> seen = new HashSet<>();
        for (int o : ordinals) {
            for (int off : offsets) {
                long loc = EventIndex.location(o, off);
                assertEquals(o, EventIndex.segmentOrdinal(loc));
                assertEquals(off, EventIndex.segmentOffset(loc));
                assertTrue(seen.add(loc));
            }
        }
    }

    @Test
    void findByIdAcrossChunkDirectoryGrowth() {
        // More than 16 chunks (so the chunk directory and the chunks' id ranges grow).
        int rows = 16 * EventIndex.CHUNK_SIZE + 1234;
        EventIndex idx = new EventIndex();
        EntityState[] entities = new EntityState[7];
        for (int i = 0; i < entities.length; i++) {
            entities[i] = idx.entity("e" + i);
        }
        int scope = idx.scope("s");
        for (int seq = 0; seq < rows; seq++) {
            EntityState e = entities[seq % 7];
            idx.append(seq, msb(seq), lsb(seq), seq, e, scope, seq & 0xFFFF, e.count(), null);
            if (seq % 50_000 == 49_999) {
                idx.publish(seq);
            }
        }
        idx.publish(rows - 1);
        assertEquals(rows, idx.size());
        for (int seq = 0; seq < rows; seq++) {
            assertEquals(seq, idx.find(msb(seq), lsb(seq)));
            assertEquals(seq, idx.location(seq));
            assertEquals(seq & 0xFFFF, idx.kindAt(seq));
            assertEquals(seq / 7, idx.entitySequenceAt(seq));
        }
        Random r = new Random(5);
        for (int i = 0; i < 10_000; i++) {
            long m = r.nextLong();
            long l = r.nextLong();
            assertEquals(-1, idx.find(m, l));
        }
        // Same msb, different lsb is a different id.
        assertEquals(-1, idx.find(msb(5), lsb(6)));
        for (EntityState e : entities) {
            assertEquals(idx.visibleCount(e), e.count());
            for (int s = 0; s < e.count(); s += 997) {
                assertEquals(s * 7 + e.id(), e.globalSequenceAt(s));
            }
        }
    }

    @Test
    void locationsAndScopesReadBackWhenAChunkOutgrowsItsOneByteColumns() {
        // Ordinals and scope ids within one byte above the chunk's first, then far above it, then below it.
        EventIndex idx = new EventIndex();
        EntityState e = idx.entity("e");
        int[] scopes = new int[300];
        for (int i = 0; i < scopes.length; i++) {
            scopes[i] = idx.scope("s" + i);
        }
        int rows = EventIndex.CHUNK_SIZE + 500;
        long[] locations = new long[rows];
        int[] scopeOf = new int[rows];
        for (int seq = 0; seq < rows; seq++) {
            int ordinal = seq < 1000 ? 7 + seq / 10 : seq < 2000 ? 1_000_000 + seq : 3;
            locations[seq] = EventIndex.location(ordinal, (1 << 30) + 64 - seq);
            scopeOf[seq] = seq < 1500 ? seq % 200 : seq % 300;
            idx.append(seq, msb(seq), lsb(seq), locations[seq], e, scopes[scopeOf[seq]], 1, seq, null);
            if (seq == 999) {
                idx.publish(seq);
                for (int g = 0; g <= seq; g++) {
                    assertEquals(locations[g], idx.location(g), "narrow, row " + g);
                }
            }
        }
        idx.publish(rows - 1);
        for (int g = 0; g < rows; g++) {
            assertEquals(locations[g], idx.location(g), "row " + g);
            assertEquals(scopeOf[g], idx.scopeIdAt(g), "row " + g);
        }
        idx.relocate(5, EventIndex.location(2_000_000, 12) | EventIndex.REMOVED_BIT);
        assertTrue(idx.removed(5));
        assertEquals(EventIndex.location(2_000_000, 12) | EventIndex.REMOVED_BIT, idx.location(5));
        assertEquals(locations[6], idx.location(6));
        assertThrows(IllegalStateException.class,
                () -> idx.append(rows, msb(rows), lsb(rows), EventIndex.location(1, -8), e, scopes[0], 1, rows, null),
                "an offset beyond 2^31 is refused");
    }

    @Test
    void findIsExactWhenIdsAreNotInRowOrder() {
        // Imported events keep their ids: chunks with ids out of row order, and a chunk whose range holds every id.
        int rows = 3 * EventIndex.CHUNK_SIZE + 17;
        EventIndex idx = new EventIndex();
        EntityState e = idx.entity("e");
        int scope = idx.scope("s");
        Random r = new Random(23);
        long[][] ids = new long[rows][];
        for (int seq = 0; seq < rows; seq++) {
            // In the first chunk, random ids, every tenth sharing its most significant half with the one before.
            long m = seq >= EventIndex.CHUNK_SIZE ? msb(rows - seq)
                    : seq % 10 == 9 ? ids[seq - 1][0] : r.nextLong();
            ids[seq] = new long[] {m, r.nextLong()};
            idx.append(seq, m, ids[seq][1], seq, e, scope, 1, e.count(), null);
        }
        assertEquals(-1, idx.find(ids[0][0], ids[0][1]), "nothing is visible yet");
        idx.publish(rows - 2);
        for (int seq = 0; seq < rows - 1; seq++) {
            assertEquals(seq, idx.find(ids[seq][0], ids[seq][1]));
        }
        assertEquals(-1, idx.find(ids[rows - 1][0], ids[rows - 1][1]), "the unpublished row is not found");
        assertEquals(-1, idx.find(ids[7][0], ids[8][1]), "the halves of two ids are no id");
        for (int i = 0; i < 1_000; i++) {
            assertEquals(-1, idx.find(r.nextLong(), r.nextLong()));
        }
    }

    @Test
    void aRemovedRowRestoredWithoutIdIsNotFoundByTheZeroId() {
        EventIndex idx = new EventIndex();
        EntityState e = idx.entity("e");
        int scope = idx.scope("s");
        idx.appendRemoved(0, e, EventIndex.location(0, 400), null);
        idx.append(1, msb(1), lsb(1), EventIndex.location(0, 64), e, scope, 1, 1, null);
        idx.publish(1);
        assertEquals(-1, idx.find(0, 0), "a removed row without id matches no id");
        assertEquals(1, idx.find(msb(1), lsb(1)));
        idx.relocate(1, EventIndex.location(0, 400) | EventIndex.REMOVED_BIT);
        assertEquals(1, idx.find(msb(1), lsb(1)), "a removed event that kept its id is found, and reads as removed");
        assertTrue(idx.removed(1));
    }

    @Test
    void entityPostingsAndVisibleCount() {
        EventIndex idx = new EventIndex();
        Random r = new Random(11);
        List<List<Integer>> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {  // more than the initial 64 entity slots
            expected.add(new ArrayList<>());
        }
        int rows = 5000;
        for (int seq = 0; seq < rows; seq++) {
            int ent = r.nextInt(100);
            append(idx, seq, "entity-" + ent, "s", 1);
            expected.get(ent).add(seq);
        }
        assertEquals(100, idx.entityCount());
        int cut = 3210;
        idx.publish(cut);
        for (int ent = 0; ent < 100; ent++) {
            EntityState e = idx.findEntity("entity-" + ent);
            List<Integer> seqs = expected.get(ent);
            assertEquals(seqs.size(), e.count());
            for (int i = 0; i < seqs.size(); i++) {
                assertEquals(seqs.get(i), e.globalSequenceAt(i));
            }
            long visible = seqs.stream().filter(s -> s <= cut).count();
            assertEquals(visible, idx.visibleCount(e), "entity-" + ent);
            assertSame(e, idx.entityById(e.id()));
            assertEquals("entity-" + ent, e.name());
            assertArrayEquals(hash(seqs.get(seqs.size() - 1)), e.lastHash(), "last hash is the last appended event's");
            assertNotSame(e.lastHashRef(), e.lastHash(), "lastHash() is a copy");
        }
        idx.publish(rows - 1);
        for (int ent = 0; ent < 100; ent++) {
            EntityState e = idx.findEntity("entity-" + ent);
            assertEquals(e.count(), idx.visibleCount(e));
        }
        assertNull(idx.findEntity("entity-100"));
        assertEquals(100, idx.entities().size());
        assertThrows(UnsupportedOperationException.class, () -> idx.entities().clear());
        Set<Integer> ids = new HashSet<>();
        idx.entities().forEach(e -> ids.add(e.id()));
        assertEquals(100, ids.size());
        assertTrue(ids.stream().allMatch(i -> i >= 0 && i < 100), "entity ids are dense");
    }

    @Test
    void visibleCountNeverSplitsAPublishedGroup() throws InterruptedException {
        // The writer appends two rows of entity "e" per published group; a reader must always count whole groups.
        EventIndex idx = new EventIndex();
        int groups = 200_000;
        java.util.concurrent.atomic.AtomicReference<String> bad = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        EntityState e = idx.entity("e");
        Thread reader = new Thread(() -> {
            while (!done.get() && bad.get() == null) {
                int n = idx.visibleCount(e);
                if (n % 2 != 0) {
                    bad.set("visible count " + n + " splits a group");
                }
            }
        });
        reader.start();
        for (int g = 0; g < groups && bad.get() == null; g++) {
            append(idx, 2L * g, "e", "s", 1);
            append(idx, 2L * g + 1, "e", "s", 1);
            idx.publish(2L * g + 1);
        }
        done.set(true);
        reader.join();
        assertEquals(null, bad.get());
        assertEquals(2 * groups, idx.visibleCount(e));
    }

    @Test
    void newEntityHasZeroHashAndEntityReturnsTheSameState() {
        EventIndex idx = new EventIndex();
        EntityState e = idx.entity("x");
        assertSame(e, idx.entity("x"));
        assertSame(e, idx.findEntity("x"));
        assertArrayEquals(new byte[32], e.lastHash());
        assertEquals(0, e.count());
        assertEquals(0, idx.visibleCount(e));
    }

    @Test
    void scopesAreInternedWithDenseIds() {
        EventIndex idx = new EventIndex();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 40; i++) {  // more than the initial 16 slots
            names.add("scope-" + i);
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < names.size(); i++) {
                assertEquals(i, idx.scope(names.get(i)), "round " + round);
            }
        }
        assertEquals(40, idx.scopeCount());
        for (int i = 0; i < 40; i++) {
            assertEquals(names.get(i), idx.scopeName(i));
        }
        append(idx, 0, "e", "scope-17", 1);
        idx.publish(0);
        assertEquals(17, idx.scopeIdAt(0));
        assertEquals(40, idx.scopeCount(), "an existing scope is not added again");
    }

    @Test
    void concurrentReaderSeesOnlyWholePublishedGroups() throws Exception {
        EventIndex idx = new EventIndex();
        int rows = 150_000;
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] checks = {0};
        Thread reader = new Thread(() -> {
            try {
                long last = -1;
                while (!done.get() || last < rows - 1) {
                    long v = idx.visible();
                    assertTrue(v >= last, "visible never goes back");
                    assertEquals(0, (v + 1) % 100, "only whole groups of 100 are published, saw " + v);
                    if (v >= 0) {
                        assertEquals(v, idx.find(msb(v), lsb(v)));
                        assertEquals(v % 3, EventIndex.segmentOrdinal(idx.location(v)));
                        long mid = v / 2;
                        assertEquals(mid, idx.find(msb(mid), lsb(mid)));
                        // The next row is found only once it has been published in the meantime.
                        long next = idx.find(msb(v + 1), lsb(v + 1));
                        assertTrue(next == -1 || next == v + 1 && idx.visible() >= v + 1, "found unpublished row");
                        EntityState e = idx.findEntity("e" + (v % 5));
                        int n = idx.visibleCount(e);
                        assertTrue(n > 0 && e.globalSequenceAt(n - 1) >= v, "row v is among the entity's visible rows");
                        assertTrue(e.globalSequenceAt(n - 1) <= idx.visible(), "visibleCount counts only published rows");
                    }
                    last = v;
                    checks[0]++;
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();
        for (int seq = 0; seq < rows; seq++) {
            append(idx, seq, "e" + (seq % 5), "s", 1);
            if (seq % 100 == 99) {
                idx.publish(seq);
            }
        }
        done.set(true);
        reader.join();
        if (failure.get() != null) {
            throw new AssertionError("reader failed", failure.get());
        }
        assertTrue(checks[0] > 0);
        assertEquals(rows - 1, idx.visible());
    }
}
