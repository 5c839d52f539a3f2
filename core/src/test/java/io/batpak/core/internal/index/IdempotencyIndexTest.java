package io.batpak.core.internal.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.IdempotencyKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IdempotencyIndexTest {

    private static IdempotencyIndex.Holder holder() {
        return new IdempotencyIndex.Holder() { };
    }

    private static IdempotencyKey key(long i) {
        return IdempotencyKey.of(0xABCDL, i);
    }

    @Test
    void newKeyIsClaimedAndAConcurrentClaimSeesTheHolder() {
        IdempotencyIndex idx = new IdempotencyIndex(100);
        IdempotencyIndex.Holder first = holder();
        IdempotencyIndex.Holder second = holder();
        assertSame(IdempotencyIndex.Granted.INSTANCE, idx.claim(key(1), first));
        assertEquals(new IdempotencyIndex.InFlight(first), idx.claim(key(1), second), "a second claim gets the holder, not Granted");
        assertEquals(new IdempotencyIndex.InFlight(first), idx.claim(key(1), first));
        assertEquals(1, idx.pendingCount());
        assertEquals(0, idx.committedCount());
        assertEquals(-1, idx.committedSequence(key(1)));
        assertSame(IdempotencyIndex.Granted.INSTANCE, idx.claim(key(2), second), "other keys are independent");
        assertEquals(2, idx.pendingCount());
    }

    @Test
    void commitMovesTheKeyToCommitted() {
        IdempotencyIndex idx = new IdempotencyIndex(100);
        IdempotencyIndex.Holder claim = holder();
        idx.claim(key(1), claim);
        assertSame(claim, idx.commit(key(1), 17));
        assertEquals(0, idx.pendingCount());
        assertEquals(1, idx.committedCount());
        assertEquals(17, idx.committedSequence(key(1)));
        assertEquals(new IdempotencyIndex.Stored(17), idx.claim(key(1), holder()), "a committed key answers with its global sequence");
        assertEquals(0, idx.pendingCount(), "claiming a committed key does not create a claim");
        // Committing an unclaimed key (recovery-like) returns null and still records it.
        assertNull(idx.commit(key(2), 18));
        assertEquals(18, idx.committedSequence(key(2)));
    }

    @Test
    void releaseDropsTheClaimSoTheKeyCanBeClaimedAgain() {
        IdempotencyIndex idx = new IdempotencyIndex(100);
        IdempotencyIndex.Holder a = holder();
        IdempotencyIndex.Holder b = holder();
        idx.claim(key(1), a);
        assertSame(a, idx.release(key(1)));
        assertNull(idx.release(key(1)), "a second release finds nothing");
        assertEquals(0, idx.pendingCount());
        assertEquals(-1, idx.committedSequence(key(1)));
        assertSame(IdempotencyIndex.Granted.INSTANCE, idx.claim(key(1), b));
        assertEquals(new IdempotencyIndex.InFlight(b), idx.claim(key(1), a));
    }

    @Test
    void runIfPendingRunsOnlyWhileTheHolderStillHoldsTheClaim() {
        IdempotencyIndex idx = new IdempotencyIndex(100);
        IdempotencyIndex.Holder holder = holder();
        IdempotencyIndex.Holder other = holder();
        AtomicInteger runs = new AtomicInteger();
        assertFalse(idx.runIfPending(key(1), holder, runs::incrementAndGet), "no claim at all");
        idx.claim(key(1), holder);
        assertFalse(idx.runIfPending(key(1), other, runs::incrementAndGet), "someone else's claim");
        assertEquals(0, runs.get());
        assertTrue(idx.runIfPending(key(1), holder, runs::incrementAndGet));
        assertEquals(1, runs.get());
        idx.commit(key(1), 5);
        assertFalse(idx.runIfPending(key(1), holder, runs::incrementAndGet), "committed: no longer pending");
        idx.claim(key(2), holder);
        idx.release(key(2));
        assertFalse(idx.runIfPending(key(2), holder, runs::incrementAndGet), "released: no longer pending");
        assertEquals(1, runs.get());
    }

    @Test
    void windowEvictsKeysOlderThanTheLastWindowSequences() {
        IdempotencyIndex idx = new IdempotencyIndex(10);
        for (long seq = 0; seq < 25; seq++) {
            idx.claim(key(seq), holder());
            idx.commit(key(seq), seq);
            long oldestKept = Math.max(0, seq - 10 + 1);
            for (long k = 0; k <= seq; k++) {
                long expected = k >= oldestKept ? k : -1;
                assertEquals(expected, idx.committedSequence(key(k)), "after commit " + seq + ", key " + k);
            }
            assertEquals(seq - oldestKept + 1, idx.committedCount());
        }
        assertSame(IdempotencyIndex.Granted.INSTANCE, idx.claim(key(3), holder()), "an evicted key is new again");
    }

    @Test
    void explicitEvictUsesTheStoreLastSequenceNotTheLastKeyedOne() {
        IdempotencyIndex idx = new IdempotencyIndex(10);
        idx.restore(1, 1, 0);
        idx.restore(1, 2, 5);
        idx.restore(1, 3, 9);
        idx.evict(14);  // keeps sequences 5..14
        assertEquals(-1, idx.committedSequence(IdempotencyKey.of(1, 1)));
        assertEquals(5, idx.committedSequence(IdempotencyKey.of(1, 2)));
        assertEquals(9, idx.committedSequence(IdempotencyKey.of(1, 3)));
        idx.evict(100);
        assertEquals(0, idx.committedCount());
    }

    @Test
    void zeroWindowRetainsNothing() {
        IdempotencyIndex idx = new IdempotencyIndex(0);
        IdempotencyIndex.Holder c = holder();
        idx.claim(key(1), c);
        assertSame(c, idx.commit(key(1), 0));
        assertEquals(0, idx.committedCount());
        assertEquals(0, idx.pendingCount());
        assertSame(IdempotencyIndex.Granted.INSTANCE, idx.claim(key(1), c));
    }

    @Test
    void forEachCommittedVisitsInCommitOrderAcrossGrowthAndWrapAround() {
        // Window 1500 with 5000 keys: the FIFO ring both wraps around (evictions move its head) and grows.
        IdempotencyIndex idx = new IdempotencyIndex(1500);
        List<long[]> expected = new ArrayList<>();
        for (long seq = 0; seq < 5000; seq++) {
            if (seq % 3 == 0) {
                continue;  // not every event has a key
            }
            idx.commit(key(seq * 7 + 1), seq);
            expected.add(new long[] {0xABCDL, seq * 7 + 1, seq});
        }
        long oldestKept = 4999 - 1500 + 1;
        expected.removeIf(e -> e[2] < oldestKept);
        List<long[]> seen = new ArrayList<>();
        idx.forEachCommitted((m, l, s) -> seen.add(new long[] {m, l, s}));
        assertEquals(expected.size(), seen.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i)[0], seen.get(i)[0]);
            assertEquals(expected.get(i)[1], seen.get(i)[1]);
            assertEquals(expected.get(i)[2], seen.get(i)[2], "commit order at " + i);
        }
        assertEquals(expected.size(), idx.committedCount());
    }

    @Test
    void growthWithoutEvictionKeepsOrder() {
        IdempotencyIndex idx = new IdempotencyIndex(1_000_000);
        for (long seq = 0; seq < 3000; seq++) {
            idx.restore(seq + 1, seq + 2, seq);
        }
        long[] next = {0};
        idx.forEachCommitted((m, l, s) -> {
            assertEquals(next[0], s);
            assertEquals(s + 1, m);
            assertEquals(s + 2, l);
            next[0]++;
        });
        assertEquals(3000, next[0]);
    }

    /**
     * A key whose first event fell out of the window may be used again for a new event. Rebuilding the index
     * from the stored frames replays both; evicting the stale first entry must not drop the new one.
     */
    @Test
    void reusedKeySurvivesEvictionOfItsStaleEntry() {
        IdempotencyIndex idx = new IdempotencyIndex(10);
        IdempotencyKey k = key(1);
        idx.restore(k.msb(), k.lsb(), 0);
        idx.restore(k.msb(), k.lsb(), 20);
        idx.evict(20);
        assertEquals(20, idx.committedSequence(k), "the key's live event at 20 is inside the window 11..20");
        assertEquals(new IdempotencyIndex.Stored(20), idx.claim(k, holder()));
        assertEquals(1, idx.committedCount());
        int[] visits = {0};
        idx.forEachCommitted((m, l, s) -> {
            assertEquals(20, s);
            visits[0]++;
        });
        assertEquals(1, visits[0], "only the live entry is left to checkpoint");
        idx.evict(29);
        assertEquals(20, idx.committedSequence(k));
        idx.evict(30);
        assertEquals(-1, idx.committedSequence(k), "and it is evicted when its own event leaves the window");
        assertEquals(0, idx.committedCount());
    }
}
