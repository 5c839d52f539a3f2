package io.batpak.core;

import io.batpak.core.error.InvalidInputException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class EventIdTest {

    @Test
    void generatedIdsAreVersion7WithRfc4122Variant() {
        for (int i = 0; i < 10_000; i++) {
            EventId id = EventId.generate();
            UUID u = id.toUuid();
            assertEquals(7, u.version(), id::toString);
            assertEquals(2, u.variant(), id::toString);
            assertEquals(0x7L, (id.msb() >>> 12) & 0xF);
            assertEquals(0b10L, id.lsb() >>> 62);
            assertFalse(id.isNil());
        }
    }

    @Test
    void embeddedTimestampIsUnixMilliseconds() {
        // The generator runs ahead of the clock only when ids were issued faster than 4096 per millisecond: once the
        // clock has passed the last id's millisecond, the next id carries the clock's millisecond exactly.
        EventId last = EventId.generate();
        while (System.currentTimeMillis() <= last.unixMillis()) {
            Thread.onSpinWait();
        }
        long before = System.currentTimeMillis();
        EventId id = EventId.generate();
        long after = System.currentTimeMillis();
        assertTrue(id.unixMillis() >= before && id.unixMillis() <= after,
                () -> id.unixMillis() + " outside " + before + ".." + after);
        assertEquals(id.msb() >>> 16, id.unixMillis());
    }

    @Test
    void strictlyIncreasingOverManyGenerations() {
        EventId prev = EventId.generate();
        Set<Long> msbs = new HashSet<>();
        msbs.add(prev.msb());
        for (int i = 0; i < 100_000; i++) {
            EventId next = EventId.generate();
            assertTrue(next.compareTo(prev) > 0, () -> next + " is not after " + "previous id");
            assertTrue(Long.compareUnsigned(next.msb(), prev.msb()) > 0, "time-and-counter part alone increases");
            assertTrue(next.toString().compareTo(prev.toString()) > 0, "string form sorts like the id");
            assertTrue(msbs.add(next.msb()));
            prev = next;
        }
    }

    @Test
    void uniqueAndPerThreadIncreasingUnderConcurrency() throws Exception {
        int threads = 4;
        int perThread = 25_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<EventId>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    List<EventId> out = new ArrayList<>(perThread);
                    for (int i = 0; i < perThread; i++) {
                        out.add(EventId.generate());
                    }
                    return out;
                }));
            }
            start.countDown();
            Set<EventId> all = new HashSet<>();
            Set<Long> msbs = new HashSet<>();
            for (Future<List<EventId>> f : futures) {
                List<EventId> ids = f.get(2, TimeUnit.MINUTES);
                assertEquals(perThread, ids.size());
                for (int i = 0; i < ids.size(); i++) {
                    if (i > 0) {
                        assertTrue(ids.get(i).compareTo(ids.get(i - 1)) > 0, "per-thread order at " + i);
                    }
                    assertTrue(all.add(ids.get(i)), "duplicate id " + ids.get(i));
                    assertTrue(msbs.add(ids.get(i).msb()), "duplicate time/counter " + ids.get(i));
                }
            }
            assertEquals(threads * perThread, all.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void toStringParseRoundTrip() {
        for (int i = 0; i < 1000; i++) {
            EventId id = EventId.generate();
            String s = id.toString();
            assertEquals(36, s.length());
            assertTrue(s.matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), s);
            assertEquals(id, EventId.parse(s));
            assertEquals(id, EventId.parse(s.toUpperCase(Locale.ROOT)));
            assertEquals(UUID.fromString(s), id.toUuid());
        }
        EventId fixed = new EventId(0x0123456789ABCDEFL, 0xFEDCBA9876543210L);
        assertEquals("01234567-89ab-cdef-fedc-ba9876543210", fixed.toString());
        assertEquals(fixed, EventId.parse("01234567-89ab-cdef-fedc-ba9876543210"));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "not-a-uuid", "01234567-89ab-cdef-fedc-ba987654321", "01234567-89ab-cdef-fedc-ba98765432100",
            "0123456789abcdeffedcba9876543210", "01234567-89ab-cdef-fedc-ba98765432zz",
            "0123456789ab-cdef-fedc-ba98-76543210", "01234567+89ab+cdef+fedc+ba9876543210",
            "g1234567-89ab-cdef-fedc-ba9876543210",
            "+1234567-89ab-cdef-fedc-ba9876543210", "01234567-+9ab-cdef-fedc-ba9876543210", " 1234567-89ab-cdef-fedc-ba9876543210",
            "1-2-3-4-5"})
    void parseRejectsGarbage(String text) {
        assertThrows(InvalidInputException.class, () -> EventId.parse(text));
    }

    @Test
    void nilIdAndOrdering() {
        assertTrue(new EventId(0, 0).isNil());
        assertFalse(new EventId(0, 1).isNil());
        // Unsigned comparison: a set top bit sorts after.
        assertTrue(new EventId(-1L, 0).compareTo(new EventId(1L, 0)) > 0);
        assertTrue(new EventId(5, -1L).compareTo(new EventId(5, 1L)) > 0);
    }
}
