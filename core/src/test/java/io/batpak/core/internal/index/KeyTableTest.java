package io.batpak.core.internal.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyTableTest {

    private record Key(long msb, long lsb) {
    }

    private static void assertSame(Map<Key, Long> model, KeyTable table, List<Key> universe) {
        assertEquals(model.size(), table.size());
        for (Key k : universe) {
            Long v = model.get(k);
            assertEquals(v == null ? -1 : v, table.get(k.msb, k.lsb), () -> "key " + k);
        }
    }

    /**
     * Random puts, overwrites and removes over a small key universe (so probe chains collide, wrap around the
     * table end and get shifted back on deletion), checked against a HashMap after every step.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 20240601})
    void behavesLikeAHashMapUnderRandomPutsAndRemoves(long seed) {
        Random r = new Random(seed);
        List<Key> universe = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            // Keys that differ in one half only, and keys with a zero half, are part of the universe.
            long msb = i % 3 == 0 ? 0 : r.nextInt(40);
            long lsb = i % 5 == 0 ? 0 : r.nextLong();
            if (msb == 0 && lsb == 0) {
                lsb = 1 + i;
            }
            universe.add(new Key(msb, lsb));
        }
        KeyTable table = new KeyTable();
        Map<Key, Long> model = new HashMap<>();
        for (int step = 0; step < 20_000; step++) {
            Key k = universe.get(r.nextInt(universe.size()));
            int op = r.nextInt(10);
            if (op < 6) {
                long v = r.nextInt(1_000_000);
                table.put(k.msb, k.lsb, v);
                model.put(k, v);
            } else {
                table.remove(k.msb, k.lsb);
                model.remove(k);
            }
            assertEquals(model.size(), table.size(), "size after step " + step);
            if (step % 97 == 0) {
                assertSame(model, table, universe);
            }
        }
        assertSame(model, table, universe);
        // Drain everything: the table must end up empty and answer -1 for all keys.
        for (Key k : universe) {
            table.remove(k.msb, k.lsb);
            model.remove(k);
        }
        assertSame(model, table, universe);
        assertEquals(0, table.size());
    }

    @Test
    void growsPastManyResizesAndKeepsEveryEntry() {
        Random r = new Random(99);
        KeyTable table = new KeyTable();
        Map<Key, Long> model = new HashMap<>();
        List<Key> keys = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            Key k = new Key(r.nextLong() | 1, r.nextLong());
            keys.add(k);
            table.put(k.msb, k.lsb, i);
            model.put(k, (long) i);
        }
        assertSame(model, table, keys);
        // Remove every other key after growth, then re-add some with new values.
        for (int i = 0; i < keys.size(); i += 2) {
            table.remove(keys.get(i).msb, keys.get(i).lsb);
            model.remove(keys.get(i));
        }
        for (int i = 0; i < keys.size(); i += 6) {
            table.put(keys.get(i).msb, keys.get(i).lsb, -i - 10L);
            model.put(keys.get(i), -i - 10L);
        }
        assertSame(model, table, keys);
    }

    @Test
    void sequentialKeysWithIdenticalHighHalf() {
        // Idempotency keys often share the high half (e.g. a per-client prefix and a counter).
        KeyTable table = new KeyTable();
        Map<Key, Long> model = new HashMap<>();
        List<Key> keys = new ArrayList<>();
        for (long i = 1; i <= 5000; i++) {
            Key k = new Key(0x1234_5678_9ABC_DEF0L, i);
            keys.add(k);
            table.put(k.msb, k.lsb, i * 3);
            model.put(k, i * 3);
        }
        for (long i = 1; i <= 5000; i += 3) {
            table.remove(0x1234_5678_9ABC_DEF0L, i);
            model.remove(new Key(0x1234_5678_9ABC_DEF0L, i));
        }
        assertSame(model, table, keys);
    }

    @Test
    void removeOfAnAbsentKeyChangesNothing() {
        KeyTable table = new KeyTable();
        table.put(1, 2, 3);
        table.remove(2, 1);
        table.remove(1, 3);
        assertEquals(1, table.size());
        assertEquals(3, table.get(1, 2));
        table.put(1, 2, 4);
        assertEquals(1, table.size(), "overwrite does not add");
        assertEquals(4, table.get(1, 2));
    }
}
