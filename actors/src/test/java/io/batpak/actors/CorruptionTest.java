package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.assertChain;
import static io.batpak.actors.TestSupport.assertGlobalGapFree;
import static io.batpak.actors.TestSupport.assertStored;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoreStats;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.UnsupportedFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Damaged stored bytes are detected (on open or on read), never served, and repair is explicit. */
class CorruptionTest {
    private static final List<String> ENTITIES = List.of("c0", "c1", "c2");
    private static ActorSystem<Void> system;

    @TempDir
    Path dir;

    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @BeforeAll
    static void useTheKitsSystem() {
        system = kit.system();
    }

    private static StoreConfig.Builder smallSegments(Path dir) {
        return StoreConfig.builder(dir).segmentMaxBytes(64 * 1024).maxPayloadBytes(4096);
    }

    /** Writes events of about 1.2 KB until the store has at least three segments. */
    private static List<AppendReceipt> fill(StoreConfig config) {
        List<AppendReceipt> receipts = new ArrayList<>();
        BatpakStore store = BatpakStore.open(config, system);
        try {
            int i = 0;
            while (store.stats().segments() < 3 || i < 150) {
                byte[] payload = new byte[1000];
                payload[0] = (byte) i;
                payload[999] = (byte) (i >> 8);
                receipts.add(await(store.append(Coordinate.of(ENTITIES.get(i % 3), "s"), KIND, payload)));
                i++;
            }
        } finally {
            TestSupport.closeStore(store);
        }
        return receipts;
    }

    @Test
    void bitFlipInASealedSegmentIsRefusedOnOpenAndRepairedOnRequest() throws IOException {
        StoreConfig config = smallSegments(dir).checkpointOnClose(false).build();
        List<AppendReceipt> receipts = fill(config);
        List<Path> segments = TestSupport.segmentFiles(dir);
        assertTrue(segments.size() >= 3, "segments: " + segments);
        Path first = segments.get(0);
        List<TestSupport.Frame> frames = TestSupport.frames(first);
        TestSupport.Frame damaged = frames.get(frames.size() / 2);
        TestSupport.flipBit(first, damaged.end() - 10, 3); // inside the payload

        for (int attempt = 0; attempt < 2; attempt++) { // a refused open leaves the directory unlocked
            CorruptStoreException e = assertThrows(CorruptStoreException.class,
                    () -> BatpakStore.open(config, system));
            assertEquals(first.getFileName(), e.file().getFileName(), e.getMessage());
            assertEquals(first.toRealPath(), e.file().toRealPath());
            assertEquals(damaged.offset(), e.offset(), e.getMessage());
            assertTrue(e.getMessage().contains(first.getFileName().toString()), e.getMessage());
        }
        assertEquals(segments, TestSupport.segmentFiles(dir), "a refused open changes nothing");

        long expectedDropped = Files.size(first) - damaged.offset();
        for (int i = 1; i < segments.size(); i++) {
            expectedDropped += Files.size(segments.get(i));
        }
        long g = damaged.globalSequence();
        StoreConfig repair = smallSegments(dir).checkpointOnClose(false).repair(true).build();
        BatpakStore store = BatpakStore.open(repair, system);
        AppendReceipt after;
        Map<String, Integer> counts = new HashMap<>();
        try {
            assertTrue(store.stats().repairDroppedBytes() > 0);
            assertEquals(expectedDropped, store.stats().repairDroppedBytes());
            assertEquals(g - 1, store.lastGlobalSequence());
            for (AppendReceipt r : receipts) {
                if (r.globalSequence() < g) {
                    assertStored(store, r);
                    counts.merge(r.coordinate().entity(), 1, Integer::sum);
                } else {
                    assertTrue(store.get(r.eventId()).isEmpty(), "dropped: " + r);
                }
            }
            for (String entity : ENTITIES) {
                assertChain(store, entity, counts.get(entity));
            }
            assertEquals(List.of(first), TestSupport.segmentFiles(dir));
            assertEquals(damaged.offset(), Files.size(first), "the first segment is cut at the damaged frame");
            try (Stream<Path> q = Files.list(dir.resolve("quarantine"))) {
                assertEquals(segments.subList(1, segments.size()).stream().map(Path::getFileName).toList(),
                        q.map(Path::getFileName).sorted().toList(), "later segments are quarantined");
            }
            // Appends continue right after the surviving events.
            String entity = receipts.get((int) g).coordinate().entity();
            after = await(store.append(Coordinate.of(entity, "s"), KIND, new byte[] {1}));
            assertEquals(g, after.globalSequence());
            assertEquals(counts.get(entity).longValue(), after.entitySequence());
            counts.merge(entity, 1, Integer::sum);
            assertChain(store, entity, counts.get(entity));
        } finally {
            TestSupport.closeStore(store);
        }
        BatpakStore reopened = BatpakStore.open(config, system);
        try {
            assertEquals(0, reopened.stats().repairDroppedBytes());
            assertStored(reopened, after);
            for (String entity : ENTITIES) {
                assertChain(reopened, entity, counts.get(entity));
            }
            assertGlobalGapFree(reopened, ENTITIES);
        } finally {
            TestSupport.closeStore(reopened);
        }
    }

    @Test
    void damageInsideTheNewestSegmentWithValidFramesAfterItIsCorruptionNotATornTail() {
        StoreConfig config = smallSegments(dir).checkpointOnClose(false).build();
        fill(config);
        Path newest = TestSupport.newestSegment(dir);
        List<TestSupport.Frame> frames = TestSupport.frames(newest);
        assertTrue(frames.size() >= 3);
        TestSupport.Frame damaged = frames.get(frames.size() - 3);
        TestSupport.flipBit(newest, damaged.offset() + 120, 0); // inside the event id
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> BatpakStore.open(config, system));
        assertEquals(newest.getFileName(), e.file().getFileName());
        assertEquals(damaged.offset(), e.offset());
    }

    @Test
    void withACheckpointDamagedEventsFailOnReadAndAreNeverServed() {
        StoreConfig config = smallSegments(dir).build();
        List<AppendReceipt> receipts = fill(config);
        Path first = TestSupport.segmentFiles(dir).get(0);
        List<TestSupport.Frame> frames = TestSupport.frames(first);
        TestSupport.Frame payloadHit = frames.get(5);
        TestSupport.Frame crcHit = frames.get(9);
        TestSupport.flipBit(first, payloadHit.end() - 1, 7);
        TestSupport.flipBit(first, crcHit.offset() + 4, 0);
        AppendReceipt a = receipts.get((int) payloadHit.globalSequence());
        AppendReceipt b = receipts.get((int) crcHit.globalSequence());
        assertEquals(5, a.globalSequence());

        BatpakStore store = BatpakStore.open(config, system);
        try {
            assertTrue(store.stats().openedFromCheckpoint(), "the checkpoint skips the sealed segments");
            for (AppendReceipt damaged : List.of(a, b)) {
                CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> store.get(damaged.eventId()));
                assertEquals(first.getFileName(), e.file().getFileName());
                long offset = damaged == a ? payloadHit.offset() : crcHit.offset();
                assertEquals(offset, e.offset(), e.getMessage());
                String entity = damaged.coordinate().entity();
                assertThrows(CorruptStoreException.class, () -> store.readEntity(entity, 0, Integer.MAX_VALUE));
                assertThrows(CorruptStoreException.class,
                        () -> store.readEntity(entity, damaged.entitySequence(), 1));
                // Events after the damaged one are still served.
                List<StoredEvent> rest = store.readEntity(entity, damaged.entitySequence() + 1, Integer.MAX_VALUE);
                assertFalse(rest.isEmpty());
                rest.forEach(ev -> assertStored(store, ev.toReceipt()));
            }
            // Through the typed protocol the damaged event is not served either: the reply is the corruption error,
            // and the front door keeps serving.
            org.apache.pekko.pattern.StatusReply<java.util.Optional<StoredEvent>> typedGet = await(AskPattern.ask(
                    store.ref(), replyTo -> new StoreCommand.Get(a.eventId(), replyTo), Duration.ofSeconds(30),
                    system.scheduler()));
            assertTrue(typedGet.isError());
            assertInstanceOf(CorruptStoreException.class, typedGet.getError());
            StoreStats stats = await(AskPattern.<StoreCommand, org.apache.pekko.pattern.StatusReply<StoreStats>>ask(
                    store.ref(), StoreCommand.GetStats::new, Duration.ofSeconds(30), system.scheduler())).getValue();
            assertEquals(receipts.size(), stats.events());
            for (AppendReceipt r : receipts) {
                if (r != a && r != b) {
                    StoredEvent ev = store.get(r.eventId()).orElseThrow();
                    assertEquals(r, ev.toReceipt());
                    assertEquals((byte) r.globalSequence(), ev.payload()[0]);
                }
            }
        } finally {
            TestSupport.closeStore(store);
        }
    }

    @Test
    void segmentOfAnotherFormatVersionIsRefusedNamingTheVersion() throws IOException {
        Path original = dir.resolve("original");
        StoreConfig config = smallSegments(original).checkpointOnClose(false).build();
        fill(config);
        List<Path> segments = TestSupport.segmentFiles(original);
        for (int version : new int[] {3, 1}) {
            for (Path target : List.of(segments.get(segments.size() - 1), segments.get(0))) {
                Path copy = dir.resolve("v" + version + "-" + target.getFileName());
                TestSupport.copyDir(original, copy);
                Path seg = copy.resolve("segments").resolve(target.getFileName().toString());
                setFormatVersion(seg, version);
                StoreConfig copyConfig = smallSegments(copy).checkpointOnClose(false).build();
                for (StoreConfig c : List.of(copyConfig, smallSegments(copy).checkpointOnClose(false).repair(true).build())) {
                    UnsupportedFormatException e = assertThrows(UnsupportedFormatException.class,
                            () -> BatpakStore.open(c, system));
                    assertTrue(e.getMessage().contains(target.getFileName().toString()), e.getMessage());
                    assertTrue(e.getMessage().contains("version " + version), e.getMessage());
                    assertEquals(version, e.foundVersion());
                }
                assertEquals(segments.size(), TestSupport.segmentFiles(copy).size(), "repair must not drop any data");
                assertFalse(Files.exists(copy.resolve("quarantine")));
                // Put version 2 back: the store opens and has everything.
                setFormatVersion(seg, 2);
                BatpakStore store = BatpakStore.open(copyConfig, system);
                try {
                    assertEquals(0, store.stats().repairDroppedBytes());
                    assertEquals(segments.size(), store.stats().segments());
                } finally {
                    TestSupport.closeStore(store);
                }
            }
        }
    }

    /** Rewrites the u16 format version at offset 8 of a segment header and its CRC32C of bytes [0, 60) at 60. */
    private static void setFormatVersion(Path segment, int version) throws IOException {
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            while (header.hasRemaining()) {
                if (ch.read(header, header.position()) < 0) {
                    throw new IOException("short header");
                }
            }
            header.putShort(8, (short) version);
            CRC32C crc = new CRC32C();
            crc.update(header.array(), 0, 60);
            header.putInt(60, (int) crc.getValue());
            header.clear();
            while (header.hasRemaining()) {
                ch.write(header, header.position());
            }
        }
    }
}
