package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.assertChain;
import static io.batpak.actors.TestSupport.assertStored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.ExpectedSequence;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.SequenceMismatchException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Optimistic concurrency: many writers racing on one entity with exact expected sequences. */
class ExpectedSequenceRaceTest {
    private static final int WRITERS = 32;
    private static final int TARGET = 200;
    private static final String ENTITY = "contended";

    @TempDir
    Path dir;

    @Test
    void exactlyOneWinnerPerSequence() throws Exception {
        StoreConfig config = StoreConfig.builder(dir).build();
        Coordinate coordinate = Coordinate.of(ENTITY, "race");
        ConcurrentLinkedQueue<AppendReceipt> wins = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        AtomicInteger losses = new AtomicInteger();
        BatpakStore store = BatpakStore.open(config);
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(pool.submit(() -> {
                    start.await();
                    int known = 0; // events of the entity this writer has read so far
                    while (true) {
                        known += store.readEntity(ENTITY, known, Integer.MAX_VALUE).size();
                        long head = known - 1;
                        if (head >= TARGET - 1) {
                            return null;
                        }
                        ExpectedSequence expected = head < 0 ? ExpectedSequence.NO_STREAM : ExpectedSequence.exact(head);
                        try {
                            AppendReceipt r = store.append(coordinate, KIND, "w" + writer + "@" + head,
                                    AppendOptions.builder().expect(expected).build())
                                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
                            if (r.entitySequence() != head + 1) {
                                unexpected.add(new AssertionError("won with " + expected + " but got " + r));
                            }
                            wins.add(r);
                        } catch (ExecutionException e) {
                            if (e.getCause() instanceof SequenceMismatchException m) {
                                losses.incrementAndGet();
                                if (!m.entity().equals(ENTITY) || !m.expected().equals(expected) || m.actual() <= head) {
                                    unexpected.add(new AssertionError("bad mismatch for " + expected + ": " + m));
                                }
                            } else {
                                unexpected.add(e.getCause());
                            }
                        }
                    }
                }));
            }
            start.countDown();
            for (Future<?> f : writers) {
                f.get(120, TimeUnit.SECONDS);
            }
            assertTrue(unexpected.isEmpty(), "unexpected outcomes: " + unexpected);
            assertTrue(losses.get() > 0, "32 racing writers must produce losers");

            List<AppendReceipt> sorted = new ArrayList<>(wins);
            sorted.sort((a, b) -> Long.compare(a.entitySequence(), b.entitySequence()));
            assertEquals(TARGET, sorted.size(), "one winner per sequence");
            for (int i = 0; i < TARGET; i++) {
                AppendReceipt r = sorted.get(i);
                assertEquals(i, r.entitySequence(), "winner sequences 0..199 each exactly once");
                assertEquals(i, r.globalSequence(), "only this entity is written, so global = entity sequence");
                assertStored(store, r);
            }
            assertEquals(TARGET - 1, store.lastGlobalSequence());
            List<StoredEvent> events = assertChain(store, ENTITY, TARGET);
            for (int i = 1; i < TARGET; i++) {
                // Each winner appended on the head it had read: its payload names sequence i - 1.
                assertTrue(events.get(i).payloadAs(String.class).endsWith("@" + (i - 1)), events.get(i).toString());
            }
        } finally {
            pool.shutdownNow();
            TestSupport.closeStore(store);
        }

        // After reopen, once from the checkpoint and once by a full scan, the chain is the same and still links.
        for (boolean deleteCheckpoint : new boolean[] {false, true}) {
            if (deleteCheckpoint) {
                Files.delete(dir.resolve("index.ckpt"));
            }
            BatpakStore reopened = BatpakStore.open(config);
            try {
                assertEquals(!deleteCheckpoint, reopened.stats().openedFromCheckpoint());
                assertEquals(TARGET - 1, reopened.lastGlobalSequence());
                assertChain(reopened, ENTITY, TARGET);
                for (AppendReceipt r : wins) {
                    assertStored(reopened, r);
                }
            } finally {
                TestSupport.closeStore(reopened);
            }
        }
    }
}
