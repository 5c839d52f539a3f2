package io.batpak.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers (entity reads and region queries) never see part of an atomic batch: while several clients append only batches of {@code K} items
 * (spread over several entities), concurrent readers observe the visible global sequence only at batch
 * boundaries, and every entity they read shows whole batches.
 */
class BatchVisibilityTest {
    private static final int K = 5;
    private static final int CLIENTS = 8;
    private static final int BATCHES_PER_CLIENT = 150;
    private static final EventKind KIND = EventKind.of(1, 7);

    @TempDir
    Path dir;

    @Test
    void readersSeeWholeBatchesOnly() throws Exception {
        BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).build());
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> violation = new AtomicReference<>();
        AtomicLong observations = new AtomicLong();
        try {
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                Thread t = new Thread(() -> {
                    while (!done.get() && violation.get() == null) {
                        long last = store.lastGlobalSequence();
                        if ((last + 1) % K != 0) {
                            violation.set("visible count " + (last + 1) + " is not a multiple of " + K);
                        }
                        // Entity "both" gets exactly 2 items of every batch.
                        int n = store.readEntity("both", 0, Integer.MAX_VALUE).size();
                        if (n % 2 != 0) {
                            violation.set("entity 'both' shows " + n + " events, half a batch");
                        }
                        int q = store.queryIndex(Region.entity("both"), -1, Integer.MAX_VALUE).size();
                        if (q % 2 != 0) {
                            violation.set("a query of entity 'both' shows " + q + " events, half a batch");
                        }
                        int all = store.queryIndex(Region.all(), -1, Integer.MAX_VALUE).size();
                        if (all % K != 0) {
                            violation.set("a query of everything shows " + all + " events, not whole batches");
                        }
                        observations.incrementAndGet();
                    }
                });
                t.start();
                readers.add(t);
            }
            CompletableFuture<?>[] clients = new CompletableFuture<?>[CLIENTS];
            for (int c = 0; c < CLIENTS; c++) {
                clients[c] = client(store, c, BATCHES_PER_CLIENT);
            }
            CompletableFuture.allOf(clients).join();
            done.set(true);
            for (Thread t : readers) {
                t.join();
            }
            assertEquals(null, violation.get());
            assertTrue(observations.get() > 0);
            assertEquals((long) CLIENTS * BATCHES_PER_CLIENT * K - 1, store.lastGlobalSequence());
            List<StoredEvent> both = store.readEntity("both", 0, Integer.MAX_VALUE);
            assertEquals(CLIENTS * BATCHES_PER_CLIENT * 2, both.size());
        } finally {
            done.set(true);
            store.closeAsync().toCompletableFuture().join();
        }
    }

    private static CompletableFuture<List<AppendReceipt>> client(BatpakStore store, int client, int left) {
        List<AppendRequest> batch = new ArrayList<>(K);
        batch.add(AppendRequest.of(Coordinate.of("both", "s"), KIND, new byte[] {(byte) client}));
        for (int i = 0; i < K - 2; i++) {
            batch.add(AppendRequest.of(Coordinate.of("client:" + client + ":" + i, "s"), KIND, new byte[] {(byte) i}));
        }
        batch.add(AppendRequest.of(Coordinate.of("both", "s"), KIND, new byte[] {(byte) client}));
        CompletableFuture<List<AppendReceipt>> f = store.appendBatch(batch).toCompletableFuture().thenApply(r -> {
            for (int i = 1; i < r.size(); i++) {
                if (r.get(i).globalSequence() != r.get(0).globalSequence() + i) {
                    throw new AssertionError("batch global sequences are not contiguous: " + r);
                }
            }
            return r;
        });
        return left <= 1 ? f : f.thenCompose(r -> client(store, client, left - 1));
    }
}
