package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.assertChain;
import static io.batpak.actors.TestSupport.assertFails;
import static io.batpak.actors.TestSupport.assertStored;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.IoFaultHook;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.VerifyReport;
import io.batpak.core.error.StoreException;
import io.batpak.core.error.StoreFailedException;
import io.batpak.core.error.StoreWriteException;
import io.batpak.core.internal.segment.SegmentFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every I/O step that can fail, failed on purpose: afterwards the partitions' heads equal what is durable (the next
 * append continues each chain from the last stored event), nothing partial is stored, reads and close work, and a
 * reopen that scans every segment finds every acknowledged event with intact chains.
 */
class FaultPointTest extends EmbeddedStoreTest {
    private static final int SEGMENT_BYTES = 64 * 1024;
    private static final int PAYLOAD_BYTES = 1000;

    /** A failure point: an I/O step on one kind of file. */
    enum Point {
        SEGMENT_WRITE, SEGMENT_FORCE, SEGMENT_CREATE, SEGMENT_HEADER_WRITE, SEGMENT_DIRECTORY_FORCE,
        CHECKPOINT_CREATE, CHECKPOINT_WRITE, CHECKPOINT_FORCE, CHECKPOINT_RENAME, CHECKPOINT_DIRECTORY_FORCE,
        DURABLE_END_WRITE;

        boolean atRotation() {
            return this == SEGMENT_CREATE || this == SEGMENT_HEADER_WRITE || this == SEGMENT_DIRECTORY_FORCE;
        }

        boolean atCheckpoint() {
            return name().startsWith("CHECKPOINT");
        }
    }

    /** Fails the armed point {@code budget} times; every other step goes through. */
    static final class PointHook implements IoFaultHook {
        volatile Point armed;
        final AtomicInteger budget = new AtomicInteger();
        final AtomicInteger injected = new AtomicInteger();

        void arm(Point p, int times) {
            budget.set(times);
            armed = p;
        }

        void disarm() {
            armed = null;
        }

        private void hit(Point p) throws IOException {
            if (p != null && armed == p && budget.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                injected.incrementAndGet();
                throw new IOException("injected " + p + " failure");
            }
        }

        private static boolean segment(String file) {
            return file.endsWith(SegmentFiles.SUFFIX);
        }

        @Override
        public void beforeWrite(String file, long position, int length) throws IOException {
            if (segment(file)) {
                hit(position == 0 ? Point.SEGMENT_HEADER_WRITE : Point.SEGMENT_WRITE);
            } else if (file.startsWith("index.ckpt")) {
                hit(Point.CHECKPOINT_WRITE);
            } else if (file.equals("durable.end")) {
                hit(Point.DURABLE_END_WRITE);
            }
        }

        @Override
        public void beforeForce(String file) throws IOException {
            hit(segment(file) ? Point.SEGMENT_FORCE : file.startsWith("index.ckpt") ? Point.CHECKPOINT_FORCE : null);
        }

        @Override
        public void beforeCreate(String file) throws IOException {
            hit(segment(file) ? Point.SEGMENT_CREATE : file.startsWith("index.ckpt") ? Point.CHECKPOINT_CREATE : null);
        }

        @Override
        public void beforeRename(String from, String to) throws IOException {
            hit(Point.CHECKPOINT_RENAME);
        }

        @Override
        public void beforeDirectoryForce(String directory) throws IOException {
            hit(directory.endsWith(SegmentFiles.DIRECTORY) ? Point.SEGMENT_DIRECTORY_FORCE
                    : Point.CHECKPOINT_DIRECTORY_FORCE);
        }
    }

    private final PointHook hook = new PointHook();

    private StoreConfig config() {
        return StoreConfig.builder(dir).segmentMaxBytes(SEGMENT_BYTES).maxPayloadBytes(4 * PAYLOAD_BYTES)
                .ioFaultHook(hook).build();
    }

    private static Coordinate c(String entity) {
        return Coordinate.of(entity, "faults");
    }

    @ParameterizedTest
    @EnumSource(Point.class)
    void afterAFailureAtEveryPointTheHeadsEqualWhatIsDurable(Point point) {
        List<AppendReceipt> acked = new ArrayList<>();
        BatpakStore store = open(config());
        for (int i = 0; i < 5; i++) {
            acked.add(await(store.append(c("e"), KIND, new byte[PAYLOAD_BYTES])));
            acked.add(await(store.append(c("f"), KIND, new byte[PAYLOAD_BYTES])));
        }
        if (point.atCheckpoint()) {
            hook.arm(point, 1);
            TestSupport.closeStore(store);
            forget(store);
            assertEquals(1, hook.injected.get(), "the checkpoint write passed the armed point");
            hook.disarm();
            assertFalse(Files.exists(dir.resolve("index.ckpt.tmp")), "no temporary checkpoint is left behind");
            store = open(config());
            acked.forEach(assertStoredIn(store));
        } else {
            hook.arm(point, 1);
            int tries = 0;
            Throwable failure = null;
            // A rotation point is reached only once the segment is full; the others at the next append.
            while (failure == null && tries++ < 200) {
                var stage = store.append(c("e"), KIND, new byte[PAYLOAD_BYTES]).toCompletableFuture();
                try {
                    acked.add(await(stage));
                } catch (AssertionError e) {
                    failure = TestSupport.failureOf(stage);
                }
                if (point == Point.DURABLE_END_WRITE && hook.injected.get() == 1) {
                    break;
                }
            }
            assertEquals(1, hook.injected.get(), point + " was reached");
            hook.disarm();
            if (point == Point.DURABLE_END_WRITE) {
                assertEquals(null, failure, "the durable-end mark is advisory: its failure fails no append");
            } else {
                StoreWriteException e = assertInstanceOf(StoreWriteException.class, failure);
                assertTrue(e.getMessage().contains("injected"), e.getMessage());
            }
        }
        assertHeadsEqualDurable(store, acked);
        assertFalse(store.stats().failed());

        TestSupport.closeStore(store);
        forget(store);
        TestSupport.deleteIfExists(dir.resolve("index.ckpt"));
        BatpakStore reopened = open(config());
        acked.forEach(assertStoredIn(reopened));
        assertTrue(reopened.verify().ok(), () -> reopened.verify().toString());
        assertHeadsEqualDurable(reopened, acked);
    }

    /** The next append of each entity continues its chain from the last acknowledged event; verify is clean. */
    private static void assertHeadsEqualDurable(BatpakStore store, List<AppendReceipt> acked) {
        for (String entity : List.of("e", "f")) {
            List<AppendReceipt> mine = acked.stream().filter(r -> r.coordinate().entity().equals(entity)).toList();
            AppendReceipt last = mine.get(mine.size() - 1);
            AppendReceipt next = await(store.append(c(entity), KIND, new byte[] {1}));
            assertEquals(mine.size(), next.entitySequence(), entity + ": no entity sequence was used by a failure");
            assertEquals(last.eventHash(), store.get(next.eventId()).orElseThrow().prevHash(),
                    entity + ": the chain continues from the last acknowledged event");
            acked.add(next);
            assertChain(store, entity, mine.size() + 1);
        }
        VerifyReport report = store.verify();
        assertTrue(report.ok(), report::toString);
    }

    private static java.util.function.Consumer<AppendReceipt> assertStoredIn(BatpakStore store) {
        return r -> assertStored(store, r);
    }

    /**
     * The reported defect: a failed segment rotation used to leave the partition's head one ahead, so the next
     * append got entity sequence 56 (not 55) and a prevHash linking to nothing, and a scanning reopen refused.
     */
    @Test
    void aFailedRotationLeavesTheChainIntactWhetherTheNextEventFitsTheOldSegmentOrNot() {
        for (boolean smallerFits : new boolean[] {false, true}) {
            Path d = dir.resolve("smaller-" + smallerFits);
            StoreConfig cfg = StoreConfig.builder(d).segmentMaxBytes(SEGMENT_BYTES).maxPayloadBytes(4 * PAYLOAD_BYTES)
                    .ioFaultHook(hook).build();
            BatpakStore store = open(cfg);
            hook.arm(Point.SEGMENT_CREATE, 1);
            List<AppendReceipt> acked = new ArrayList<>();
            Throwable failure = null;
            while (failure == null) {
                var stage = store.append(c("e"), KIND, new byte[PAYLOAD_BYTES]).toCompletableFuture();
                try {
                    acked.add(await(stage));
                } catch (AssertionError e) {
                    failure = TestSupport.failureOf(stage);
                }
            }
            assertInstanceOf(StoreWriteException.class, failure);
            assertTrue(failure.getMessage().contains("cannot start a new segment"), failure.getMessage());
            AppendReceipt next = await(store.append(c("e"), KIND, new byte[smallerFits ? 10 : PAYLOAD_BYTES]));
            assertEquals(acked.size(), next.entitySequence());
            assertEquals(acked.get(acked.size() - 1).eventHash(), store.get(next.eventId()).orElseThrow().prevHash());
            assertTrue(store.verify().ok(), () -> store.verify().toString());
            TestSupport.closeStore(store);
            forget(store);
            TestSupport.deleteIfExists(d.resolve("index.ckpt"));
            BatpakStore reopened = open(cfg);
            assertChain(reopened, "e", acked.size() + 1);
            assertTrue(reopened.verify().ok());
        }
    }

    /** A write that fails and whose undo fails too: the store is failed, reads and close work, nothing is lost. */
    @Test
    void aFailedTruncateFailsTheStoreButKeepsReadsCloseAndEveryAcknowledgedEvent() {
        BatpakStore store = open(config());
        List<AppendReceipt> acked = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            acked.add(await(store.append(c("e"), KIND, new byte[] {(byte) i})));
        }
        FailingUndo undo = new FailingUndo();
        store = reopenWith(store, undo);
        acked.add(await(store.append(c("e"), KIND, new byte[] {9})));
        undo.failing = true;
        assertFails(StoreFailedException.class, store.append(c("e"), KIND, new byte[] {10}));
        StoreException later = assertFails(StoreFailedException.class, store.append(c("e"), KIND, new byte[] {11}));
        assertTrue(later.getMessage().contains("failed"), later.getMessage());
        assertTrue(store.stats().failed());
        assertChain(store, "e", acked.size());
        undo.failing = false;
        TestSupport.closeStore(store);
        forget(store);
        TestSupport.deleteIfExists(dir.resolve("index.ckpt"));
        BatpakStore reopened = open(StoreConfig.builder(dir).build());
        acked.forEach(assertStoredIn(reopened));
        List<StoredEvent> events = assertChain(reopened, "e", acked.size());
        assertEquals(9, events.get(events.size() - 1).payload()[0]);
        assertTrue(reopened.verify().ok());
    }

    /** Fails every segment write and the truncate that undoes it while {@code failing}. */
    private static final class FailingUndo implements IoFaultHook {
        volatile boolean failing;

        @Override
        public void beforeWrite(String file, long position, int length) throws IOException {
            if (failing && file.endsWith(SegmentFiles.SUFFIX)) {
                throw new IOException("injected write failure");
            }
        }

        @Override
        public void beforeTruncate(String file, long length) throws IOException {
            if (failing) {
                throw new IOException("injected truncate failure");
            }
        }
    }

    private BatpakStore reopenWith(BatpakStore store, IoFaultHook h) {
        TestSupport.closeStore(store);
        forget(store);
        return open(StoreConfig.builder(dir).ioFaultHook(h).build());
    }
}
