package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.assertChain;
import static io.batpak.actors.TestSupport.assertGlobalGapFree;
import static io.batpak.actors.TestSupport.assertStored;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An atomic batch cut anywhere inside its frames by a crash is gone as a whole after recovery, and the store
 * continues from the events before it.
 */
@Tag("crash")
class AtomicBatchCrashTest {
    private static final List<String> ENTITIES = List.of("acct:a", "acct:b", "acct:c");
    private static final int BATCH_ITEMS = 9;

    private static ActorSystem<Void> system;

    @TempDir
    Path work;

    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @BeforeAll
    static void useTheKitsSystem() {
        system = kit.system();
    }

    private static Coordinate c(String entity) {
        return Coordinate.of(entity, "bank");
    }

    /** What was written before the crash. */
    private record Written(List<AppendReceipt> prefix, List<AppendReceipt> batch) {
        long prefixLast() {
            return prefix.get(prefix.size() - 1).globalSequence();
        }

        Map<String, Integer> prefixCounts() {
            Map<String, Integer> counts = new TreeMap<>();
            ENTITIES.forEach(e -> counts.put(e, 0));
            prefix.forEach(r -> counts.merge(r.coordinate().entity(), 1, Integer::sum));
            return counts;
        }
    }

    private static List<AppendRequest> batchRequests() {
        List<AppendRequest> items = new ArrayList<>();
        for (int i = 0; i < BATCH_ITEMS; i++) {
            items.add(AppendRequest.of(c(ENTITIES.get(i % 3)), KIND, "batch-" + i));
        }
        return items;
    }

    private static List<AppendReceipt> appendPrefix(BatpakStore store) {
        List<AppendReceipt> prefix = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            prefix.add(await(store.append(c(ENTITIES.get(i % 3)), KIND, "pre-" + i)));
        }
        return prefix;
    }

    @Test
    void batchCutByACrashIsDroppedWholeWithoutCheckpoint() {
        Path pristine = work.resolve("pristine");
        StoreConfig config = StoreConfig.builder(pristine).checkpointOnClose(false).build();
        BatpakStore store = BatpakStore.open(config, system);
        Written written;
        try {
            List<AppendReceipt> prefix = appendPrefix(store);
            written = new Written(prefix, await(store.appendBatch(batchRequests())));
        } finally {
            TestSupport.closeStore(store);
        }
        assertFalse(Files.exists(pristine.resolve("index.ckpt")));
        crashInsideBatch(pristine, written, false);
    }

    @Test
    void batchCutByACrashIsDroppedWholeWhenACheckpointCoversTheEventsBeforeIt() {
        Path pristine = work.resolve("pristine");
        BatpakStore first = BatpakStore.open(StoreConfig.builder(pristine).build(), system);
        List<AppendReceipt> prefix;
        try {
            prefix = appendPrefix(first);
        } finally {
            TestSupport.closeStore(first);
        }
        assertTrue(Files.exists(pristine.resolve("index.ckpt")));
        // The session that writes the batch "crashes": it leaves the older checkpoint, covering only the prefix.
        BatpakStore second = BatpakStore.open(StoreConfig.builder(pristine).checkpointOnClose(false).build(), system);
        Written written;
        try {
            written = new Written(prefix, await(second.appendBatch(batchRequests())));
        } finally {
            TestSupport.closeStore(second);
        }
        crashInsideBatch(pristine, written, true);
    }

    @Test
    void batchCutByACrashIsDroppedWholeWhenTheCheckpointIsDeleted() {
        Path pristine = work.resolve("pristine");
        BatpakStore store = BatpakStore.open(StoreConfig.builder(pristine).build(), system);
        Written written;
        try {
            List<AppendReceipt> prefix = appendPrefix(store);
            written = new Written(prefix, await(store.appendBatch(batchRequests())));
        } finally {
            TestSupport.closeStore(store);
        }
        // A checkpoint written after the batch would cover it; without it recovery must scan.
        try {
            Files.delete(pristine.resolve("index.ckpt"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        crashInsideBatch(pristine, written, false);
    }

    private void crashInsideBatch(Path pristine, Written written, boolean expectCheckpoint) {
        Path segment = TestSupport.newestSegment(pristine);
        List<TestSupport.Frame> frames = TestSupport.frames(segment);
        long firstBatchSeq = written.batch().get(0).globalSequence();
        assertEquals(written.prefixLast() + 1, firstBatchSeq);
        List<TestSupport.Frame> batchFrames = frames.stream()
                .filter(f -> f.globalSequence() >= firstBatchSeq).toList();
        assertEquals(BATCH_ITEMS, batchFrames.size(), "the batch's frames are the segment's last ones");
        for (int i = 0; i < BATCH_ITEMS; i++) {
            assertEquals(BATCH_ITEMS, batchFrames.get(i).batchCount());
            assertEquals(i, batchFrames.get(i).batchIndex());
            assertEquals(written.batch().get(i).globalSequence(), batchFrames.get(i).globalSequence());
        }
        long batchStart = batchFrames.get(0).offset();
        long batchEnd = batchFrames.get(BATCH_ITEMS - 1).end();

        TreeSet<Long> cuts = new TreeSet<>();
        cuts.add(batchStart);
        cuts.add(batchStart + 1);
        cuts.add(batchStart + 4);
        cuts.add(batchStart + 8);
        cuts.add(batchEnd - 1);
        for (TestSupport.Frame f : batchFrames) {
            cuts.add(f.offset()); // whole frames present, group incomplete
            cuts.add(f.offset() + 3);
            cuts.add(f.offset() + f.size() / 2);
            cuts.add(f.end() - 1);
        }
        cuts.remove(batchEnd);
        int n = 0;
        for (long cut : cuts) {
            assertTrue(cut >= batchStart && cut < batchEnd);
            Path copy = work.resolve("cut-" + (n++));
            TestSupport.copyDir(pristine, copy);
            TestSupport.crashDuringWrite(copy, batchFrames.get(0), cut);
            verifyRecovered(copy, written, cut - batchStart, expectCheckpoint, "cut at " + cut);
        }

        // Control: the complete file keeps the batch.
        Path whole = work.resolve("whole");
        TestSupport.copyDir(pristine, whole);
        BatpakStore store = BatpakStore.open(StoreConfig.builder(whole).checkpointOnClose(false).build(), system);
        try {
            assertEquals(written.batch().get(BATCH_ITEMS - 1).globalSequence(), store.lastGlobalSequence());
            written.batch().forEach(r -> assertStored(store, r));
        } finally {
            TestSupport.closeStore(store);
        }
    }

    private void verifyRecovered(Path dir, Written written, long cutBytes, boolean expectCheckpoint, String what) {
        StoreConfig config = StoreConfig.builder(dir).checkpointOnClose(false).build();
        Map<String, Integer> counts = written.prefixCounts();
        BatpakStore store = BatpakStore.open(config, system);
        AppendReceipt after;
        try {
            assertEquals(expectCheckpoint, store.stats().openedFromCheckpoint(), what);
            assertEquals(written.prefixLast(), store.lastGlobalSequence(), what + ": nothing of the batch");
            assertEquals(cutBytes, store.stats().truncatedTailBytes(), what + ": torn bytes cut");
            for (AppendReceipt r : written.batch()) {
                assertTrue(store.get(r.eventId()).isEmpty(), what + ": batch event " + r.globalSequence() + " visible");
            }
            for (AppendReceipt r : written.prefix()) {
                assertStored(store, r);
            }
            for (String entity : ENTITIES) {
                List<StoredEvent> events = assertChain(store, entity, counts.get(entity));
                events.forEach(e -> assertTrue(e.payloadAs(String.class).startsWith("pre-"), what + ": " + e));
            }
            // Appends continue from the prefix, on every entity the batch touched.
            after = await(store.append(c("acct:b"), KIND, "after-crash"));
            assertEquals(written.prefixLast() + 1, after.globalSequence(), what);
            assertEquals(counts.get("acct:b").longValue(), after.entitySequence(), what);
            List<AppendReceipt> batchAgain = await(store.appendBatch(batchRequests()));
            assertEquals(written.prefixLast() + 2, batchAgain.get(0).globalSequence(), what);
            assertChain(store, "acct:a", counts.get("acct:a") + 3);
            assertChain(store, "acct:b", counts.get("acct:b") + 4);
            assertChain(store, "acct:c", counts.get("acct:c") + 3);
            assertGlobalGapFree(store, ENTITIES);
        } finally {
            TestSupport.closeStore(store);
        }
        // And the continued store recovers cleanly itself.
        BatpakStore reopened = BatpakStore.open(config, system);
        try {
            assertEquals(0, reopened.stats().truncatedTailBytes(), what);
            assertStored(reopened, after);
            assertEquals(written.prefixLast() + 1 + BATCH_ITEMS, reopened.lastGlobalSequence(), what);
            assertGlobalGapFree(reopened, ENTITIES);
        } finally {
            TestSupport.closeStore(reopened);
        }
    }
}
