package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.assertChain;
import static io.batpak.actors.TestSupport.assertFails;
import static io.batpak.actors.TestSupport.assertGlobalGapFree;
import static io.batpak.actors.TestSupport.assertStored;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.IoFaultHook;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.StoreFailedException;
import io.batpak.core.error.StoreOverloadedException;
import io.batpak.core.error.StoreWriteException;
import io.batpak.core.internal.segment.SegmentFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** I/O errors during commit, an undo that fails too, and overload. */
class WriteFailureTest extends EmbeddedStoreTest {
    /** Fails the next N segment writes / forces and, when set, every truncate. */
    static final class FaultHook implements IoFaultHook {
        final AtomicInteger failWrites = new AtomicInteger();
        final AtomicInteger failForces = new AtomicInteger();
        volatile boolean failTruncates;
        final AtomicInteger injected = new AtomicInteger();

        private void maybeFail(AtomicInteger budget, String what) throws IOException {
            if (budget.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                injected.incrementAndGet();
                throw new IOException("injected " + what + " failure");
            }
        }

        // Segment data only: the durable-end mark and the checkpoint have tests of their own (FaultPointTest).
        @Override
        public void beforeWrite(String file, long position, int length) throws IOException {
            if (file.endsWith(SegmentFiles.SUFFIX)) {
                maybeFail(failWrites, "write");
            }
        }

        @Override
        public void beforeForce(String file) throws IOException {
            if (file.endsWith(SegmentFiles.SUFFIX)) {
                maybeFail(failForces, "force");
            }
        }

        @Override
        public void beforeTruncate(String segmentFile, long length) throws IOException {
            if (failTruncates) {
                injected.incrementAndGet();
                throw new IOException("injected truncate failure");
            }
        }
    }

    private final FaultHook hook = new FaultHook();
    @AfterEach
    void healTheDisk() {
        hook.failWrites.set(0);
        hook.failForces.set(0);
        hook.failTruncates = false;
    }

    private StoreConfig config() {
        return StoreConfig.builder(dir).ioFaultHook(hook).build();
    }

    private static Coordinate c(String entity) {
        return Coordinate.of(entity, "io");
    }

    /** Every stored payload string of the entities. */
    private static Set<String> payloads(BatpakStore store, List<String> entities) {
        Set<String> out = new HashSet<>();
        for (String e : entities) {
            for (StoredEvent ev : store.readEntity(e, 0, Integer.MAX_VALUE)) {
                assertTrue(out.add(ev.payloadAs(String.class)), "duplicate " + ev);
            }
        }
        return out;
    }

    private void failedCommitIsInvisibleAndTheStoreContinues(boolean failForce) {
        BatpakStore store = open(config());
        List<AppendReceipt> ok = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ok.add(await(store.append(c("w"), KIND, "w" + i)));
        }
        ok.add(await(store.append(c("x"), KIND, "x0")));
        long sizeBefore = TestSupport.fileSize(TestSupport.newestSegment(dir));

        if (failForce) {
            hook.failForces.set(1);
        } else {
            hook.failWrites.set(1);
        }
        StoreWriteException e = assertFails(StoreWriteException.class, store.append(c("w"), KIND, "doomed"));
        assertTrue(e.getMessage().contains("injected"), e.getMessage());
        assertEquals(1, hook.injected.get());
        assertEquals(3, store.lastGlobalSequence(), "nothing of the failed append is visible");
        assertEquals(3, store.readEntity("w", 0, 100).size());
        assertEquals(sizeBefore, TestSupport.fileSize(TestSupport.newestSegment(dir)), "the partial write was cut back");
        assertEquals(1, store.stats().failedAppends());
        assertFalse(store.stats().failed());

        AppendReceipt next = await(store.append(c("w"), KIND, "w3"));
        assertEquals(3, next.entitySequence(), "the failed append used no entity sequence");
        assertEquals(4, next.globalSequence(), "the failed append used no global sequence");
        assertEquals(ok.get(2).eventHash(), store.get(next.eventId()).orElseThrow().prevHash());
        ok.add(next);
        ok.add(await(store.append(c("x"), KIND, "x1")));
        assertChain(store, "w", 4);
        assertChain(store, "x", 2);
        assertFalse(payloads(store, List.of("w", "x")).contains("doomed"));

        TestSupport.closeStore(store);
        for (boolean scan : new boolean[] {false, true}) {
            if (scan) {
                deleteCheckpoint();
            }
            BatpakStore reopened = open(StoreConfig.builder(dir).build());
            try {
                assertEquals(5, reopened.lastGlobalSequence());
                ok.forEach(r -> assertStored(reopened, r));
                assertChain(reopened, "w", 4);
                assertChain(reopened, "x", 2);
                assertFalse(payloads(reopened, List.of("w", "x")).contains("doomed"));
            } finally {
                TestSupport.closeStore(reopened);
            }
        }
    }

    @Test
    void failedWriteFailsTheAppendAndTheStoreContinues() {
        failedCommitIsInvisibleAndTheStoreContinues(false);
    }

    @Test
    void failedForceFailsTheAppendAndTheStoreContinues() {
        failedCommitIsInvisibleAndTheStoreContinues(true);
    }

    @Test
    void retryRightAfterAFailedCommitSucceeds() {
        BatpakStore store = open(config());
        await(store.append(c("retry"), KIND, "seed"));
        for (int i = 0; i < 30; i++) {
            if (i % 2 == 0) {
                hook.failWrites.set(1);
            } else {
                hook.failForces.set(1);
            }
            assertFails(StoreWriteException.class, store.append(c("retry"), KIND, "attempt-" + i));
            // The failure says the append may be retried; the retry is issued only after it arrived.
            AppendReceipt r = await(store.append(c("retry"), KIND, "attempt-" + i));
            assertEquals(i + 1, r.entitySequence());
        }
        List<StoredEvent> events = assertChain(store, "retry", 31);
        for (int i = 0; i < 30; i++) {
            assertEquals("attempt-" + i, events.get(i + 1).payloadAs(String.class));
        }
        assertEquals(30, store.stats().failedAppends());
    }

    @Test
    void failedCommitUnderConcurrentAppendsKeepsSequencesGapFree() throws Exception {
        BatpakStore store = open(config());
        List<String> entities = List.of("p0", "p1", "p2", "p3");
        for (String e : entities) {
            await(store.append(c(e), KIND, e + "-seed"));
        }
        Set<String> succeeded = new HashSet<>();
        Set<String> failed = new HashSet<>();
        for (int round = 0; round < 5; round++) {
            hook.failWrites.set(1);
            List<String> names = new ArrayList<>();
            List<CompletionStage<AppendReceipt>> stages = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String entity = entities.get(i % entities.size());
                String payload = entity + "-r" + round + "-" + i;
                names.add(payload);
                stages.add(store.append(c(entity), KIND, payload));
            }
            int failures = 0;
            for (int i = 0; i < stages.size(); i++) {
                try {
                    AppendReceipt r = stages.get(i).toCompletableFuture().get(60, TimeUnit.SECONDS);
                    assertStored(store, r);
                    succeeded.add(names.get(i));
                } catch (java.util.concurrent.ExecutionException e) {
                    assertTrue(e.getCause() instanceof StoreWriteException, "unexpected " + e.getCause());
                    failed.add(names.get(i));
                    failures++;
                }
            }
            assertTrue(failures >= 1, "the injected failure failed at least the commit it hit");
        }
        Set<String> seeds = new HashSet<>();
        entities.forEach(e -> seeds.add(e + "-seed"));
        Set<String> expected = new HashSet<>(succeeded);
        expected.addAll(seeds);
        assertEquals(expected, payloads(store, entities), "exactly the acknowledged appends are stored");
        Map<String, Integer> counts = new TreeMap<>();
        expected.forEach(p -> counts.merge(p.substring(0, 2), 1, Integer::sum));
        for (String e : entities) {
            assertChain(store, e, counts.get(e));
        }
        assertGlobalGapFree(store, entities);
        long counted = store.stats().failedAppends();
        assertTrue(counted >= 5 && counted <= failed.size(), "failed appends counted: " + counted + " of " + failed.size());

        // The store still takes appends on every entity and the chains survive a reopen by full scan.
        for (String e : entities) {
            await(store.append(c(e), KIND, e + "-final"));
            counts.merge(e, 1, Integer::sum);
        }
        TestSupport.closeStore(store);
        deleteCheckpoint();
        BatpakStore reopened = open(StoreConfig.builder(dir).build());
        for (String e : entities) {
            assertChain(reopened, e, counts.get(e));
        }
        assertGlobalGapFree(reopened, entities);
        Set<String> after = payloads(reopened, entities);
        for (String f : failed) {
            assertFalse(after.contains(f), "failed append resurfaced: " + f);
        }
    }

    @Test
    void failedBatchStoresNothing() {
        BatpakStore store = open(config());
        await(store.append(c("b1"), KIND, "b1-0"));
        hook.failWrites.set(1);
        assertFails(StoreWriteException.class, store.appendBatch(List.of(AppendRequest.of(c("b1"), KIND, "doomed-1"),
                AppendRequest.of(c("b2"), KIND, "doomed-2"), AppendRequest.of(c("b3"), KIND, "doomed-3"))));
        assertEquals(0, store.lastGlobalSequence());
        assertEquals(List.of(), store.readEntity("b2", 0, 10));
        List<AppendReceipt> again = await(store.appendBatch(List.of(AppendRequest.of(c("b1"), KIND, "b1-1"),
                AppendRequest.of(c("b2"), KIND, "b2-0"), AppendRequest.of(c("b3"), KIND, "b3-0"))));
        assertEquals(List.of(1L, 2L, 3L), again.stream().map(AppendReceipt::globalSequence).toList());
        assertChain(store, "b1", 2);
        assertChain(store, "b2", 1);
        assertChain(store, "b3", 1);
    }

    @Test
    void failedUndoPutsTheStoreIntoTheFailedStateWhereReadsStillWork() {
        BatpakStore store = open(config());
        List<AppendReceipt> ok = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ok.add(await(store.append(c("f"), KIND, "f" + i)));
        }
        hook.failWrites.set(1);
        hook.failTruncates = true;
        StoreFailedException first = assertFails(StoreFailedException.class, store.append(c("f"), KIND, "doomed"));
        assertTrue(first.getMessage().contains("truncat"), first.getMessage());
        assertTrue(store.stats().failed());

        hook.failTruncates = false; // even with the disk healthy again, a failed store stays failed
        assertFails(StoreFailedException.class, store.append(c("f"), KIND, "refused"));
        assertFails(StoreFailedException.class, store.append(c("g"), KIND, "refused"));
        assertFails(StoreFailedException.class, store.appendBatch(List.of(AppendRequest.of(c("g"), KIND, "refused"))));
        assertTrue(store.stats().failed());

        assertEquals(2, store.lastGlobalSequence());
        ok.forEach(r -> assertStored(store, r));
        assertChain(store, "f", 3);
        assertEquals(List.of(), store.readEntity("g", 0, 10));

        TestSupport.closeStore(store);
        BatpakStore reopened = open(StoreConfig.builder(dir).build());
        assertFalse(reopened.stats().failed());
        assertEquals(2, reopened.lastGlobalSequence());
        ok.forEach(r -> assertStored(reopened, r));
        assertEquals(3, await(reopened.append(c("f"), KIND, "f3")).entitySequence());
        assertChain(reopened, "f", 4);
    }

    @Test
    void bytesOfAFailedForceThatCouldNotBeCutAreCutAtCloseNotForced() {
        BatpakStore store = open(config());
        AppendReceipt kept = await(store.append(c("u"), KIND, "kept"));
        hook.failForces.set(1);
        hook.failTruncates = true;
        // The frame reaches the file, its force fails and the cut back fails: the store fails, the append too.
        assertFails(StoreFailedException.class, store.append(c("u"), KIND, "undead?"));
        assertTrue(store.stats().failed());
        hook.failTruncates = false;
        TestSupport.closeStore(store);
        BatpakStore reopened = open(StoreConfig.builder(dir).build());
        assertEquals(kept.globalSequence(), reopened.lastGlobalSequence(), "a failed append must not reappear");
        assertEquals(1, reopened.readEntity("u", 0, 10).size());
        assertChain(reopened, "u", 1);
    }

    @Test
    void failedBackgroundForceOfAcknowledgedEventsFailsTheStore() throws InterruptedException {
        BatpakStore store = open(StoreConfig.builder(dir).ioFaultHook(hook)
                .syncMode(io.batpak.core.SyncMode.interval(java.time.Duration.ofMillis(5))).build());
        hook.failForces.set(1);
        // Acknowledged at write; the periodic force that follows fails.
        AppendReceipt acked = await(store.append(c("bg"), KIND, "acked"));
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (!store.stats().failed() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(store.stats().failed(), "acknowledged data may not be durable: the store must stop appending");
        assertEquals(1, hook.injected.get());
        StoreFailedException e = assertFails(StoreFailedException.class, store.append(c("bg"), KIND, "after"));
        assertTrue(e.getMessage().contains("force"), e.getMessage());
        assertStored(store, acked);
        assertChain(store, "bg", 1);
    }

    @Test
    void overloadFailsFastAndStoresNothingOfTheRefusedAppends() throws Exception {
        BatpakStore store = open(StoreConfig.builder(dir).writerQueueBound(2).build());
        int threads = 8;
        int each = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        ConcurrentLinkedQueue<String> accepted = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    List<CompletionStage<AppendReceipt>> stages = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        stages.add(store.append(c("load-" + thread), KIND, thread + ":" + i));
                    }
                    for (int i = 0; i < each; i++) {
                        String payload = thread + ":" + i;
                        try {
                            stages.get(i).toCompletableFuture().get(60, TimeUnit.SECONDS);
                            accepted.add(payload);
                        } catch (java.util.concurrent.ExecutionException e) {
                            if (e.getCause() instanceof StoreOverloadedException o) {
                                refused.add(payload);
                                if (!o.getMessage().contains("writer-queue-bound")) {
                                    unexpected.add(o);
                                }
                            } else {
                                unexpected.add(e.getCause());
                            }
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(unexpected.isEmpty(), "unexpected: " + unexpected);
        assertFalse(refused.isEmpty(), "400 appends against a bound of 2 must overload");
        assertFalse(accepted.isEmpty(), "admitted appends are stored");
        assertEquals(threads * each, accepted.size() + refused.size());
        List<String> entities = new ArrayList<>();
        Set<String> stored = new HashSet<>();
        for (int t = 0; t < threads; t++) {
            entities.add("load-" + t);
            int count = store.readEntity("load-" + t, 0, Integer.MAX_VALUE).size();
            assertChain(store, "load-" + t, count);
        }
        stored.addAll(payloads(store, entities));
        assertEquals(new HashSet<>(accepted), stored, "exactly the accepted appends are stored");
        assertGlobalGapFree(store, entities);
        assertEquals(accepted.size(), store.stats().appends());

        // Once the load is gone the store accepts again; a batch larger than the bound is admitted on its own.
        assertEquals(3, await(store.appendBatch(List.of(AppendRequest.of(c("after"), KIND, "1"),
                AppendRequest.of(c("after"), KIND, "2"), AppendRequest.of(c("after"), KIND, "3")))).size());
    }

    private void deleteCheckpoint() {
        try {
            Files.delete(dir.resolve("index.ckpt"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
