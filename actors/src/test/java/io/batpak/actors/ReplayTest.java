package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendOptions;
import io.batpak.core.AppendRequest;
import io.batpak.core.CompactionPlan;
import io.batpak.core.Coordinate;
import io.batpak.core.EventIterator;
import io.batpak.core.EventKind;
import io.batpak.core.EventView;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.RedactionRequest;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.SyncMode;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.InvalidQueryException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The sequential replay path, {@code StoreReader.replay}: against {@code query}, under damage, appends, memory. */
class ReplayTest {
    private static final EventKind OTHER = EventKind.of(0x2, 0x002);

    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @TempDir
    Path dir;

    private StoreConfig config() {
        return StoreConfig.builder(dir).syncMode(SyncMode.NONE).segmentMaxBytes(64 * 1024).maxPayloadBytes(4096)
                .build();
    }

    /** 2,000 events over 40 entities in 2 scopes, 2 kinds, every 7th tagged, in batches and single appends. */
    private static void fill(BatpakStore store) {
        for (int from = 0; from < 2000; from += 50) {
            List<AppendRequest> batch = new ArrayList<>();
            for (int i = from; i < from + 50; i++) {
                AppendOptions o = i % 7 == 0 ? AppendOptions.tags("seventh") : AppendOptions.DEFAULT;
                batch.add(AppendRequest.of(Coordinate.of((i % 2 == 0 ? "order:" : "user:") + (i % 40),
                        i % 3 == 0 ? "eu" : "us"), i % 5 == 0 ? OTHER : KIND, payload(i), o));
            }
            if (from % 200 == 0) {
                for (AppendRequest r : batch) {
                    await(store.append(r.coordinate(), r.kind(), (byte[]) r.payload(), r.options()));
                }
            } else {
                await(store.appendBatch(batch));
            }
        }
    }

    private static byte[] payload(int i) {
        byte[] b = new byte[100 + i % 50];
        for (int k = 0; k < b.length; k++) {
            b[k] = (byte) (i * 31 + k);
        }
        return b;
    }

    private static List<StoredEvent> all(EventIterator it) {
        List<StoredEvent> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private static void assertSame(List<StoredEvent> expected, List<StoredEvent> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            StoredEvent e = expected.get(i);
            StoredEvent a = actual.get(i);
            assertEquals(e.eventId(), a.eventId());
            assertEquals(e.globalSequence(), a.globalSequence());
            assertEquals(e.entitySequence(), a.entitySequence());
            assertEquals(e.coordinate(), a.coordinate());
            assertEquals(e.kind(), a.kind());
            assertEquals(e.tags(), a.tags());
            assertEquals(e.eventHash(), a.eventHash());
            assertEquals(e.payloadRedacted(), a.payloadRedacted());
            assertArrayEquals(e.payload(), a.payload());
        }
    }

    @Test
    void replayReturnsWhatQueryReturnsInGlobalOrderForEveryRegionAndPosition() throws Exception {
        BatpakStore store = kit.open(config());
        fill(store);
        try (Stream<Path> s = Files.list(dir.resolve("segments"))) {
            assertTrue(s.count() >= 4, "the store spans several segments");
        }
        List<Region> regions = List.of(Region.all(), Region.entity("order"), Region.entity("user:7"),
                Region.scope("eu"), Region.all().withKind(OTHER), Region.tag("seventh"),
                Region.entity("order").withScope("us").withTag("seventh"), Region.entity("nobody"),
                Region.entity("user:3").withSequenceRange(5, 20));
        for (Region r : regions) {
            for (long after : new long[] {-1, 0, 777, 1998, 1999, 5000}) {
                assertSame(store.query(r, after, Integer.MAX_VALUE), all(store.replay(r, after)));
            }
        }
        List<StoredEvent> everything = all(store.replay(Region.all(), -1));
        assertEquals(2000, everything.size());
        for (int i = 0; i < everything.size(); i++) {
            assertEquals(i, everything.get(i).globalSequence());
        }

        // Position follows the last event read past; the end is final.
        EventIterator it = store.replay(Region.entity("user:7"), 100);
        assertEquals(100, it.position());
        StoredEvent first = it.next();
        assertEquals(first.globalSequence(), it.position());
        it.close();
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
        assertThrows(InvalidQueryException.class, () -> store.replay(null, -1));
        assertThrows(InvalidQueryException.class, () -> store.replay(Region.all(), -2));

        // The same through a read-only open, after a reopen from the checkpoint.
        kit.close(store);
        try (ReadOnlyStore ro = ReadOnlyStore.open(config())) {
            assertSame(everything, all(ro.replay(Region.all(), -1)));
        }
    }

    @Test
    void takingOnlyBufferedEventsStopsBeforeEachFileReadAndMissesNothingAcrossChunkAndSegmentBoundaries() {
        // Segments of 4 MiB read in 1 MiB chunks: frames of varying size straddle chunk and segment boundaries.
        StoreConfig big = StoreConfig.builder(dir).syncMode(SyncMode.NONE).segmentMaxBytes(4 << 20)
                .maxPayloadBytes(4096).build();
        BatpakStore store = kit.open(big);
        for (int from = 0; from < 40_000; from += 1000) {
            List<AppendRequest> batch = new ArrayList<>();
            for (int i = from; i < from + 1000; i++) {
                batch.add(AppendRequest.of(Coordinate.of("e:" + (i % 13), "s"), i % 4 == 0 ? OTHER : KIND,
                        new byte[100 + (i * 37) % 400]));
            }
            await(store.appendBatch(batch));
        }
        for (Region r : List.of(Region.all(), Region.all().withKind(OTHER), Region.entity("e:5"))) {
            List<StoredEvent> got = new ArrayList<>();
            int stops = 0;
            try (EventIterator it = store.replay(r, -1)) {
                io.batpak.core.internal.journal.SequentialRun run = (io.batpak.core.internal.journal.SequentialRun) it;
                while (true) {
                    StoredEvent e = run.nextIfBuffered();
                    if (e == null) {
                        if (!run.hasNext()) {
                            break;
                        }
                        stops++;
                        e = run.next();
                    }
                    got.add(e);
                }
                assertNull(run.nextIfBuffered(), "nothing after the end");
            }
            assertSame(store.query(r, -1, Integer.MAX_VALUE), got);
            // About 12 MiB of segments: at least one stop per chunk read and per segment opened.
            assertTrue(stops >= 12, r.identity() + ": " + stops + " stops");
        }
    }

    @Test
    void anInPlaceReplayHandsTheSameEventsAsViewsValidOnlyDuringTheCall() {
        BatpakStore store = kit.open(config());
        fill(store);
        await(store.redact(RedactionRequest.entity("user:9", "test")));
        for (Region r : List.of(Region.all(), Region.entity("order").withScope("eu"), Region.tag("seventh"))) {
            List<StoredEvent> expected = store.query(r, 99, Integer.MAX_VALUE);
            List<StoredEvent> copies = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            long n = store.replay(r, 99, v -> {
                StoredEvent e = expected.get(copies.size());
                if (v.globalSequence() != e.globalSequence() || v.entitySequence() != e.entitySequence()
                        || v.timestampMicros() != e.timestampMicros() || !v.kind().equals(e.kind())
                        || !v.entity().equals(e.coordinate().entity()) || !v.scope().equals(e.coordinate().scope())
                        || v.payloadRedacted() != e.payloadRedacted()) {
                    problems.add("view " + v.globalSequence() + " differs from " + e);
                }
                java.nio.ByteBuffer p = v.payload();
                byte[] bytes = new byte[p.remaining()];
                p.get(bytes);
                if (!java.util.Arrays.equals(bytes, e.payload())) {
                    problems.add("payload of " + e.globalSequence());
                }
                copies.add(v.toStoredEvent());
            });
            assertEquals(List.of(), problems);
            assertEquals(expected.size(), n);
            assertSame(expected, copies);
        }
        // A view kept past its call refuses to be read; a throwing handler stops the replay.
        EventView[] kept = new EventView[1];
        store.replay(Region.all(), 1990, v -> kept[0] = v);
        assertThrows(IllegalStateException.class, () -> kept[0].globalSequence());
        int[] calls = {0};
        IllegalArgumentException stop = assertThrows(IllegalArgumentException.class, () -> store.replay(Region.all(),
                -1, v -> {
                    if (++calls[0] == 5) {
                        throw new IllegalArgumentException("enough");
                    }
                }));
        assertEquals("enough", stop.getMessage());
        assertEquals(5, calls[0]);
        assertThrows(InvalidQueryException.class, () -> store.replay(Region.all(), -1, null));
    }

    @Test
    void compactedAndRedactedEventsReplayAsQueryShowsThem() {
        BatpakStore store = kit.open(config());
        fill(store);
        await(store.redact(RedactionRequest.entity("user:9", "test")));
        await(store.compact(CompactionPlan.ERASE_ONLY.withMaxEventsPerEntity(10)));
        for (long after : new long[] {-1, 3, 500, 1500}) {
            List<StoredEvent> expected = store.query(Region.all(), after, Integer.MAX_VALUE);
            assertSame(expected, all(store.replay(Region.all(), after)));
        }
        List<StoredEvent> redacted = all(store.replay(Region.entity("user:9"), -1));
        assertFalse(redacted.isEmpty());
        redacted.forEach(e -> assertTrue(e.payloadRedacted(), e.toString()));
        // Starting inside a removed run goes on at the next surviving event.
        long firstKept = store.query(Region.all(), -1, 1).get(0).globalSequence();
        assertTrue(firstKept > 100, "the oldest events were removed");
        assertEquals(firstKept, all(store.replay(Region.all(), 50)).get(0).globalSequence());
    }

    @Test
    void aDamagedFrameFailsTheReplayAtItsPlaceNamingFileAndOffset() throws Exception {
        BatpakStore store = kit.open(config());
        fill(store);
        kit.close(store);
        Path first;
        try (Stream<Path> s = Files.list(dir.resolve("segments"))) {
            first = s.sorted().findFirst().orElseThrow();
        }
        // A payload byte of event 10 (payloads are unique): its CRC no longer holds.
        byte[] bytes = Files.readAllBytes(first);
        byte[] p10 = payload(10);
        int at = -1;
        for (int i = 0; i + p10.length <= bytes.length && at < 0; i++) {
            if (java.util.Arrays.equals(bytes, i, i + p10.length, p10, 0, p10.length)) {
                at = i;
            }
        }
        assertTrue(at > 0);
        try (RandomAccessFile f = new RandomAccessFile(first.toFile(), "rw")) {
            f.seek(at + 3);
            f.write(bytes[at + 3] ^ 0x40);
        }
        try (ReadOnlyStore ro = ReadOnlyStore.open(config())) {
            EventIterator it = ro.replay(Region.all(), -1);
            List<StoredEvent> before = new ArrayList<>();
            CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> {
                while (it.hasNext()) {
                    before.add(it.next());
                }
            });
            it.close();
            assertEquals(10, before.size(), "the ten events before it were served");
            assertTrue(e.getMessage().contains(first.getFileName().toString()), e.getMessage());
            long[] handed = {0};
            assertThrows(CorruptStoreException.class, () -> ro.replay(Region.all(), -1, v -> handed[0]++));
            assertEquals(10, handed[0], "in place too, only the events before the damage");
            // A region that skips the damaged event does not serve it and goes past it.
            assertEquals(1000, all(ro.replay(Region.entity("user"), -1)).size());
        }
    }

    @Test
    void appendsDuringAReplayAreNotIncludedAndTheActiveSegmentIsReadToTheWatermark() throws Exception {
        BatpakStore store = kit.open(config());
        fill(store);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        List<Thread> appenders = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                for (int n = 0; !stop.get() && failed.get() == null; n++) {
                    try {
                        await(store.appendBatch(List.of(
                                AppendRequest.of(Coordinate.of("live:" + id, "s"), KIND, payload(n)),
                                AppendRequest.of(Coordinate.of("order:" + id, "s"), KIND, payload(n + 1)))));
                    } catch (Throwable e) {
                        failed.set(e);
                    }
                }
            });
            th.start();
            appenders.add(th);
        }
        try {
            for (int round = 0; round < 5; round++) {
                long before = store.lastGlobalSequence();
                EventIterator it = store.replay(Region.all(), -1);
                long after = store.lastGlobalSequence();
                List<StoredEvent> got = all(it);
                long last = got.get(got.size() - 1).globalSequence();
                assertTrue(last >= before && last <= after, before + " <= " + last + " <= " + after);
                for (int i = 0; i < got.size(); i++) {
                    assertEquals(i, got.get(i).globalSequence(), "gap-free in order");
                }
                // Every atomic batch is whole: the replay ends on a batch boundary past the fixture.
                assertEquals(0, (last + 1 - 2000) % 2, "ended inside a batch at " + last);
            }
        } finally {
            stop.set(true);
            for (Thread th : appenders) {
                th.join();
            }
        }
        assertNull(failed.get());
        assertSame(store.query(Region.all(), -1, Integer.MAX_VALUE), all(store.replay(Region.all(), -1)));
    }

    @Test
    void aReplayOfAStoreLargerThanTheHeapRunsInBoundedMemory() throws Exception {
        BatpakStore store = kit.open(StoreConfig.builder(dir).syncMode(SyncMode.NONE).build());
        byte[] kib = new byte[1024];
        for (int from = 0; from < 120_000; from += 1000) {
            List<AppendRequest> batch = new ArrayList<>();
            for (int i = from; i < from + 1000; i++) {
                kib[0] = (byte) i;
                batch.add(AppendRequest.of(Coordinate.of("big:" + (i % 100), "s"), KIND, kib.clone()));
            }
            await(store.appendBatch(batch));
        }
        kit.close(store);
        // 120,000 KiB of payloads (~123 MB) replayed in a JVM with 48 MiB of heap.
        try (ChildJvm child = ChildJvm.start(List.of("-Xmx48m"), ReplayApp.class, dir.resolveSibling(
                dir.getFileName() + "-replay.log"), dir.toString())) {
            String line = child.awaitLine(l -> l.startsWith("replayed "), Duration.ofMinutes(2), null);
            assertTrue(line.startsWith("replayed 120000 events, 122880000 payload bytes"), line);
            assertTrue(child.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(0, child.process().exitValue());
        }
    }
}
