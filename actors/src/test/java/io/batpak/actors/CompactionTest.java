package io.batpak.actors;

import static io.batpak.actors.TestSupport.assertFails;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.CompactionPlan;
import io.batpak.core.CompactionReport;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.IoFaultHook;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.VerifyReport;
import io.batpak.core.error.CompactionFailedException;
import io.batpak.core.error.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Compaction and retention: what is removed, what stays, anchors, reopen, faults. */
class CompactionTest {
    private static final EventKind KIND = EventKind.of(0x1, 0x001);

    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @TempDir
    Path dir;

    private StoreConfig.Builder config(Path store) {
        return StoreConfig.builder(store).segmentMaxBytes(64 * 1024).maxPayloadBytes(16 * 1024);
    }

    private static byte[] payload(int entity, int i, int size) {
        byte[] b = new byte[size];
        for (int k = 0; k < size; k++) {
            b[k] = (byte) (entity * 31 + i * 7 + k);
        }
        b[0] = (byte) (i % 3);
        return b;
    }

    /** Appends {@code perEntity} events to each of {@code entities} entities, interleaved, some in batches. */
    private static List<AppendReceipt> fill(BatpakStore store, int entities, int perEntity, int size) {
        List<AppendReceipt> out = new ArrayList<>();
        for (int i = 0; i < perEntity; i++) {
            if (i % 4 == 3 && entities > 1) {
                List<AppendRequest> batch = new ArrayList<>();
                for (int e = 0; e < entities; e++) {
                    batch.add(AppendRequest.of(Coordinate.of("e:" + e, "s"), KIND, payload(e, i, size)));
                }
                out.addAll(await(store.appendBatch(batch)));
            } else {
                for (int e = 0; e < entities; e++) {
                    out.add(await(store.append(Coordinate.of("e:" + e, "s"), KIND, payload(e, i, size))));
                }
            }
        }
        return out;
    }

    private static long segmentBytes(Path data) throws IOException {
        try (Stream<Path> s = Files.list(data.resolve("segments"))) {
            return s.mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void assertVerifies(io.batpak.core.StoreReader store, int entities) {
        VerifyReport r = store.verify();
        assertTrue(r.ok(), () -> "verify: " + r);
        for (int e = 0; e < entities; e++) {
            VerifyReport er = store.verifyEntity("e:" + e);
            assertTrue(er.ok(), () -> "verifyEntity: " + er);
        }
    }

    @Test
    void maxEventsPerEntityKeepsTheNewestAndEveryChainVerifiesFromItsAnchor() throws Exception {
        Path data = dir.resolve("store");
        BatpakStore store = kit.open(config(data).build());
        List<AppendReceipt> all = fill(store, 3, 200, 200);
        long last = store.lastGlobalSequence();
        long before = segmentBytes(data);

        CompactionReport report = await(store.compact(CompactionPlan.ERASE_ONLY.withMaxEventsPerEntity(50)));

        assertEquals(3 * 150, report.eventsRemoved());
        assertTrue(report.segmentsRewritten() > 0);
        assertTrue(report.bytesReclaimed() > 0);
        assertTrue(segmentBytes(data) < before / 2, "segments shrank: " + before + " -> " + segmentBytes(data));
        assertEquals(last, store.lastGlobalSequence(), "global sequences are never renumbered");
        for (int e = 0; e < 3; e++) {
            List<StoredEvent> kept = store.readEntity("e:" + e, 0, Integer.MAX_VALUE);
            assertEquals(50, kept.size());
            for (int i = 0; i < 50; i++) {
                assertEquals(150 + i, kept.get(i).entitySequence());
                assertArrayEquals(payload(e, 150 + i, 200), kept.get(i).payload());
            }
            assertEquals(199, store.lastEntitySequence("e:" + e));
        }
        for (AppendReceipt r : all) {
            boolean removed = r.entitySequence() < 150;
            assertEquals(!removed, store.get(r.eventId()).isPresent(), "event " + r);
        }
        assertEquals(150, store.query(Region.all(), -1, 10_000).size());
        assertEquals(150, store.queryIndex(Region.entity("e:1").withKind(KIND), -1, 10_000).size() * 3);
        assertVerifies(store, 3);
        assertTrue(store.walkAncestors(all.get(all.size() - 1).eventId(), 1000).size() <= 50);

        // The chain goes on from the survivors.
        AppendReceipt next = await(store.append(Coordinate.of("e:0", "s"), KIND, new byte[] {9}));
        assertEquals(200, next.entitySequence());
        assertEquals(last + 1, next.globalSequence());
        assertVerifies(store, 3);

        // Reopen twice: from the checkpoint written at close, then from a full scan of the rewritten segments.
        kit.close(store);
        for (boolean dropCheckpoint : new boolean[] {false, true}) {
            if (dropCheckpoint) {
                Files.deleteIfExists(data.resolve("index.ckpt"));
            }
            BatpakStore reopened = kit.open(config(data).build());
            assertEquals(last + (dropCheckpoint ? 2 : 1), reopened.lastGlobalSequence());
            assertEquals(dropCheckpoint ? 52 : 51, reopened.readEntity("e:0", 0, 1000).size());
            assertEquals(150, reopened.readEntity("e:0", 0, 1000).get(0).entitySequence());
            assertTrue(reopened.get(all.get(0).eventId()).isEmpty());
            assertVerifies(reopened, 3);
            assertEquals(dropCheckpoint ? 202 : 201, await(reopened.append(Coordinate.of("e:0", "s"), KIND,
                    new byte[] {8})).entitySequence());
            kit.close(reopened);
        }
        try (ReadOnlyStore ro = ReadOnlyStore.open(config(data).build())) {
            assertVerifies(ro, 3);
        }
    }

    @Test
    void aPredicateRemovesEventsInTheMiddleOfChainsAndASecondCompactionMergesTheRuns() throws Exception {
        Path data = dir.resolve("store");
        BatpakStore store = kit.open(config(data).build());
        fill(store, 2, 150, 300);
        // Remove every event whose payload starts with 1 (every third one): gaps in the middle of each chain.
        CompactionReport first = await(store.compact(CompactionPlan.ERASE_ONLY.withRemoveIf(e -> e.payload()[0] == 1)));
        assertEquals(2 * 50, first.eventsRemoved());
        for (int e = 0; e < 2; e++) {
            List<StoredEvent> kept = store.readEntity("e:" + e, 0, 1000);
            assertEquals(100, kept.size());
            assertTrue(kept.stream().allMatch(x -> x.entitySequence() % 3 != 1));
        }
        assertVerifies(store, 2);
        // A second compaction removes the neighbours of the earlier gaps: removal frames are merged.
        CompactionReport second = await(store.compact(CompactionPlan.ERASE_ONLY.withRemoveIf(e -> e.payload()[0] == 2)));
        assertEquals(2 * 50, second.eventsRemoved());
        assertVerifies(store, 2);
        kit.close(store);
        Files.deleteIfExists(data.resolve("index.ckpt"));
        BatpakStore reopened = kit.open(config(data).build());
        for (int e = 0; e < 2; e++) {
            List<StoredEvent> kept = reopened.readEntity("e:" + e, 0, 1000);
            assertEquals(50, kept.size());
            assertTrue(kept.stream().allMatch(x -> x.entitySequence() % 3 == 0));
        }
        assertVerifies(reopened, 2);
        // Nothing left to do: nothing is rewritten.
        assertEquals(0, await(reopened.compact(CompactionPlan.ERASE_ONLY.withRemoveIf(e -> e.payload()[0] == 1)))
                .segmentsRewritten());
    }

    @Test
    void maxAgeRemovesOldEventsAndAnEntityWithNoSurvivorAppendsAfterItsAnchor() throws Exception {
        Path data = dir.resolve("store");
        BatpakStore store = kit.open(config(data).build());
        fill(store, 2, 100, 200);
        long last = store.lastGlobalSequence();
        // First runs of several events per entity, then everything: the second compaction merges the runs.
        assertEquals(100, await(store.compact(CompactionPlan.ERASE_ONLY.withMaxEventsPerEntity(50))).eventsRemoved());
        assertVerifies(store, 2);
        CompactionReport report = await(store.compact(CompactionPlan.ERASE_ONLY.withMaxAge(Duration.ZERO)));
        assertEquals(100, report.eventsRemoved());
        assertTrue(store.query(Region.all(), -1, 1000).isEmpty());
        assertEquals(last, store.removedThrough(-1));
        assertEquals(last, store.removedThrough(9));
        assertEquals(last, store.removedThrough(last), "nothing follows the last event");
        assertVerifies(store, 2);
        AppendReceipt next = await(store.append(Coordinate.of("e:1", "s"), KIND, new byte[] {1}));
        assertEquals(100, next.entitySequence());
        StoredEvent read = store.get(next.eventId()).orElseThrow();
        assertNotEquals(io.batpak.core.Hash.ZERO, read.prevHash(), "links to the removed event's anchor");
        assertVerifies(store, 2);
        kit.close(store);
        Files.deleteIfExists(data.resolve("index.ckpt"));
        BatpakStore reopened = kit.open(config(data).build());
        assertEquals(1, reopened.query(Region.all(), -1, 1000).size());
        assertVerifies(reopened, 2);
    }

    @Test
    void redactedPayloadsAreErasedAndStoreRecordsAreNeverRemovedByRules() throws Exception {
        Path data = dir.resolve("store");
        BatpakStore store = kit.open(config(data).build());
        fill(store, 1, 40, 100);
        await(store.redact(io.batpak.core.RedactionRequest.entity("e:0", "test")));
        CompactionReport report = await(store.compact(CompactionPlan.ERASE_ONLY.withMaxEventsPerEntity(0)));
        assertEquals(40, report.eventsRemoved());
        List<StoredEvent> records = store.query(Region.entity(io.batpak.core.RedactionRecord.ENTITY), -1, 10);
        assertEquals(1, records.size(), "the redaction record stays");
        assertVerifies(store, 1);
    }

    @Test
    void theIdempotencyKeyOfARemovedEventIsForgotten() {
        BatpakStore store = kit.open(config(dir.resolve("store")).build());
        IdempotencyKey key = IdempotencyKey.of(0x1234L, 0x5678L);
        AppendReceipt first = await(store.append(Coordinate.of("k", "s"), KIND, new byte[] {1},
                AppendOptions.builder().idempotencyKey(key).build()));
        assertEquals(first, await(store.append(Coordinate.of("k", "s"), KIND, new byte[] {1},
                AppendOptions.builder().idempotencyKey(key).build())), "a retry before compaction is deduplicated");
        await(store.append(Coordinate.of("k", "s"), KIND, new byte[] {2}));
        await(store.compact(CompactionPlan.ERASE_ONLY.withMaxEventsPerEntity(1)));
        AppendReceipt again = await(store.append(Coordinate.of("k", "s"), KIND, new byte[] {1},
                AppendOptions.builder().idempotencyKey(key).build()));
        assertNotEquals(first.eventId(), again.eventId());
        assertEquals(2, again.entitySequence());
    }

    @Test
    void aFailedRewriteLeavesTheSegmentAsItWasAndARetrySucceeds() throws Exception {
        Path data = dir.resolve("store");
        AtomicBoolean failWrite = new AtomicBoolean(true);
        AtomicBoolean failRename = new AtomicBoolean(false);
        IoFaultHook hook = new IoFaultHook() {
            @Override
            public void beforeWrite(String file, long position, int length) throws IOException {
                if (file.endsWith(".rewrite") && failWrite.get()) {
                    throw new IOException("No space left on device");
                }
            }

            @Override
            public void beforeRename(String from, String to) throws IOException {
                if (from.endsWith(".rewrite") && failRename.get()) {
                    throw new IOException("injected rename failure");
                }
            }
        };
        BatpakStore store = kit.open(config(data).ioFaultHook(hook).build());
        fill(store, 2, 100, 200);
        List<StoredEvent> before = store.query(Region.all(), -1, 10_000);
        for (int attempt = 0; attempt < 2; attempt++) {
            CompactionFailedException e = assertFails(CompactionFailedException.class,
                    store.compact(CompactionPlan.ERASE_ONLY.withMaxEventsPerEntity(10)));
            assertTrue(e.getMessage().contains(e.segment().getFileName().toString()), e.getMessage());
            assertEquals(before.size(), store.query(Region.all(), -1, 10_000).size());
            try (Stream<Path> s = Files.list(data.resolve("segments"))) {
                assertTrue(s.noneMatch(p -> p.toString().endsWith(".rewrite")), "no rewrite left behind");
            }
            assertVerifies(store, 2);
            failWrite.set(false);
            failRename.set(true);
        }
        failRename.set(false);
        assertEquals(180, await(store.compact(CompactionPlan.ERASE_ONLY.withMaxEventsPerEntity(10))).eventsRemoved());
        assertVerifies(store, 2);
        assertEquals(20, store.query(Region.all(), -1, 10_000).size());
    }

    @Test
    void aForgedAnchorIsDetectedByVerifyAndRefusedByOpen() throws Exception {
        Path data = dir.resolve("store");
        BatpakStore store = kit.open(config(data).build());
        fill(store, 2, 100, 200);
        await(store.compact(CompactionPlan.ERASE_ONLY.withMaxEventsPerEntity(30)));
        kit.close(store);
        Files.deleteIfExists(data.resolve("index.ckpt"));
        boolean forged = false;
        for (Path seg : TestSupport.segmentFiles(data)) {
            byte[] b = Files.readAllBytes(seg);
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int pos = 64; pos + 8 <= b.length; pos += buf.getInt(pos) + 8) {
                if (b[pos + 128] == 2) {
                    int end = pos + 8 + buf.getInt(pos);
                    b[end - 1] ^= 0x01; // the last byte of the frame's last anchor hash
                    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
                    crc.update(b, pos + 8, end - pos - 8);
                    buf.putInt(pos + 4, (int) crc.getValue());
                    forged = true;
                    break;
                }
            }
            if (forged) {
                Files.write(seg, b);
                break;
            }
        }
        assertTrue(forged, "a removal frame was found");
        io.batpak.core.error.CorruptStoreException refused = org.junit.jupiter.api.Assertions.assertThrows(
                io.batpak.core.error.CorruptStoreException.class, () -> BatpakStore.open(config(data).build()));
        assertTrue(refused.getMessage().contains("does not link"), refused.getMessage());
        try (ReadOnlyStore ro = ReadOnlyStore.open(config(data).build())) {
            VerifyReport r = ro.verify();
            assertFalse(r.ok());
            assertEquals(io.batpak.core.IntegrityBreak.Reason.PREV_HASH, r.firstBreak().reason(), r.toString());
        }
    }

    /**
     * A reader pages through the store with small pages while compaction swaps segments under it. A page whose
     * selected events are removed before they are read must still be full when more events follow, or a reader
     * that takes a short page for the end (every cursor does) would skip the survivors after it.
     */
    @Test
    void aPageThatCompactionEmptiesUnderAReaderIsToppedUpSoNoSurvivorIsSkipped() throws Exception {
        for (int round = 0; round < 3; round++) {
            BatpakStore store = kit.open(config(dir.resolve("paged-" + round)).build());
            List<Long> keep = new ArrayList<>();
            for (int from = 0; from < 6000; from += 200) {
                List<AppendRequest> batch = new ArrayList<>();
                for (int i = from; i < from + 200; i++) {
                    String entity = i % 50 == 49 ? "keep:" + (i % 3) : "old:" + (i % 7);
                    batch.add(AppendRequest.of(Coordinate.of(entity, "s"), KIND, payload(i % 7, i, 40)));
                }
                for (AppendReceipt r : await(store.appendBatch(batch))) {
                    if (r.globalSequence() % 50 == 49) {
                        keep.add(r.globalSequence());
                    }
                }
            }
            AtomicBoolean done = new AtomicBoolean();
            List<String> skipped = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                while (!done.get() && skipped.isEmpty()) {
                    java.util.Set<Long> seen = new java.util.HashSet<>();
                    long after = -1;
                    while (true) {
                        List<StoredEvent> page = store.query(Region.all(), after, 8);
                        page.forEach(e -> seen.add(e.globalSequence()));
                        if (page.size() < 8) {
                            break;
                        }
                        after = page.get(page.size() - 1).globalSequence();
                    }
                    for (long g : keep) {
                        if (!seen.contains(g)) {
                            skipped.add("survivor " + g + " missing from a walk that ended after " + after);
                            break;
                        }
                    }
                }
            });
            reader.start();
            CompactionReport report = await(store.compact(CompactionPlan.ERASE_ONLY
                    .withRemoveIf(e -> e.coordinate().entity().startsWith("old:"))));
            done.set(true);
            reader.join();
            assertEquals(6000 - keep.size(), report.eventsRemoved());
            assertEquals(List.of(), skipped);
            assertEquals(keep.size(), store.query(Region.all(), -1, 10_000).size());
            kit.close(store);
        }
    }

    @Test
    void badPlansAreRefused() {
        assertThrowsInvalid(() -> CompactionPlan.ERASE_ONLY.withMaxAge(Duration.ofSeconds(-1)));
        assertThrowsInvalid(() -> CompactionPlan.ERASE_ONLY.withMaxAge(null));
        assertThrowsInvalid(() -> CompactionPlan.ERASE_ONLY.withMaxEventsPerEntity(-1));
        assertThrowsInvalid(() -> CompactionPlan.ERASE_ONLY.withRemoveIf(null));
        BatpakStore store = kit.open(config(dir.resolve("store")).build());
        assertFails(InvalidInputException.class, store.compact(null));
        assertFalse(CompactionPlan.ERASE_ONLY.removesEvents());
    }

    private static void assertThrowsInvalid(Runnable r) {
        org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class, r::run);
    }
}
