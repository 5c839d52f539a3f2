package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.assertChain;
import static io.batpak.actors.TestSupport.assertGlobalGapFree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoreStats;
import io.batpak.core.StoredEvent;
import io.batpak.core.SyncMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Concurrent appenders share writes and forces: far fewer fsyncs than appends, nothing lost or reordered. */
class GroupCommitTest {
    private static final int APPENDERS = 64;
    private static final int APPENDS_EACH = 100;

    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @TempDir
    Path dir;

    /** Appends {@code remaining} events one after another: each append starts when the previous one completed. */
    private static CompletableFuture<Void> chain(BatpakStore store, Coordinate c, int next, int remaining,
                                                 ConcurrentLinkedQueue<AppendReceipt> receipts) {
        if (remaining == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return store.append(c, KIND, c.entity() + "#" + next).toCompletableFuture().thenCompose(r -> {
            receipts.add(r);
            return chain(store, c, next + 1, remaining - 1, receipts);
        });
    }

    @Test
    void concurrentAppendersShareForces() throws Exception {
        StoreConfig config = StoreConfig.builder(dir).syncMode(SyncMode.EVERY_COMMIT).build();
        BatpakStore store = BatpakStore.open(config);
        try {
            ConcurrentLinkedQueue<AppendReceipt> receipts = new ConcurrentLinkedQueue<>();
            List<CompletableFuture<Void>> chains = new ArrayList<>();
            List<String> entities = new ArrayList<>();
            for (int a = 0; a < APPENDERS; a++) {
                String entity = "appender-" + a;
                entities.add(entity);
                chains.add(chain(store, Coordinate.of(entity, "gc"), 0, APPENDS_EACH, receipts));
            }
            CompletableFuture.allOf(chains.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);

            int total = APPENDERS * APPENDS_EACH;
            assertEquals(total, receipts.size(), "every append succeeded");
            assertEquals(total - 1, store.lastGlobalSequence());
            for (String entity : entities) {
                List<StoredEvent> events = assertChain(store, entity, APPENDS_EACH);
                for (int i = 0; i < APPENDS_EACH; i++) {
                    assertEquals(entity + "#" + i, events.get(i).payloadAs(String.class));
                }
            }
            assertGlobalGapFree(store, entities);

            StoreStats stats = store.stats();
            assertEquals(total, stats.appends());
            assertEquals(total, stats.events());
            assertEquals(stats.groupCommits(), stats.fsyncs(), "every commit is forced once: " + stats);
            assertEquals(0, stats.failedAppends());
        } finally {
            TestSupport.closeStore(store);
        }
    }

    @Test
    void groupCommitsAreCappedAtMaxEvents() throws Exception {
        StoreConfig config = StoreConfig.builder(dir).groupCommit(4, 8L * 1024 * 1024).build();
        BatpakStore store = BatpakStore.open(config);
        try {
            ConcurrentLinkedQueue<AppendReceipt> receipts = new ConcurrentLinkedQueue<>();
            List<CompletableFuture<Void>> chains = new ArrayList<>();
            List<String> entities = new ArrayList<>();
            for (int a = 0; a < 32; a++) {
                entities.add("capped-" + a);
                chains.add(chain(store, Coordinate.of("capped-" + a, "gc"), 0, 50, receipts));
            }
            CompletableFuture.allOf(chains.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
            assertEquals(32 * 50, receipts.size());
            StoreStats stats = store.stats();
            assertTrue(stats.averageGroupCommitSize() <= 4.0, "max-events = 4: " + stats);
            assertTrue(stats.groupCommits() >= 32 * 50 / 4, stats.toString());
            assertGlobalGapFree(store, entities);
            for (String entity : entities) {
                assertChain(store, entity, 50);
            }
        } finally {
            TestSupport.closeStore(store);
        }
    }

    /**
     * Appends that reach the writer while it forces are committed together by the next write and force: with the
     * first force held until 63 more appends are queued at the writer, 64 appends take exactly two commits.
     */
    @Test
    void appendsQueuedBehindAForceShareTheNextOne() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
        io.batpak.core.IoFaultHook holdFirstForce = new io.batpak.core.IoFaultHook() {
            @Override
            public void beforeForce(String file) {
                if (armed.compareAndSet(true, false)) {
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        io.batpak.actors.internal.ActorFaultHook countQueued = new io.batpak.actors.internal.ActorFaultHook() {
            @Override
            public void beforeMessage(String actor, Object message) {
            }

            @Override
            public void afterMessage(String actor, Object message) {
                queued.incrementAndGet();
            }
        };
        BatpakStore store = kit.openWithFaults(StoreConfig.builder(dir).syncMode(SyncMode.EVERY_COMMIT)
                .ioFaultHook(holdFirstForce).build(), countQueued);
        try {
            long commitsBefore = store.stats().groupCommits();
            armed.set(true);
            List<CompletableFuture<AppendReceipt>> appends = new ArrayList<>();
            appends.add(store.append(Coordinate.of("held", "gc"), KIND, new byte[] {0}).toCompletableFuture());
            // The writer is inside the first append's force before the others are sent.
            TestSupport.eventually("the first force is held", () -> !armed.get());
            for (int i = 1; i < 64; i++) {
                appends.add(store.append(Coordinate.of("queued-" + i, "gc"), KIND, new byte[] {(byte) i})
                        .toCompletableFuture());
            }
            // Every partition has handed its append to the writer, which is still held in its first force.
            TestSupport.eventually("64 appends queued at the writer", () -> queued.get() == 64);
            release.countDown();
            for (CompletableFuture<AppendReceipt> a : appends) {
                a.get(60, TimeUnit.SECONDS);
            }
            StoreStats stats = store.stats();
            assertEquals(2, stats.groupCommits() - commitsBefore, "one commit for the held append, one for the rest");
            assertEquals(stats.groupCommits(), stats.fsyncs(), "every commit is forced once: " + stats);
        } finally {
            release.countDown();
        }
    }
}
