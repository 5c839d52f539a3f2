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
import org.junit.jupiter.api.io.TempDir;

/** Concurrent appenders share writes and forces: far fewer fsyncs than appends, nothing lost or reordered. */
class GroupCommitTest {
    private static final int APPENDERS = 64;
    private static final int APPENDS_EACH = 100;

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
            assertTrue(stats.fsyncs() < total / 4, "forces must be shared between appends: " + stats);
            assertTrue(stats.averageGroupCommitSize() > 2, "group commits must batch appends: " + stats);
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
}
