package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.OTHER_KIND;
import static io.batpak.actors.TestSupport.assertChain;
import static io.batpak.actors.TestSupport.assertFails;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.ExpectedSequence;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.StoreConfig;
import io.batpak.core.error.IdempotencyConflictException;
import io.batpak.core.error.SequenceMismatchException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Idempotency keys: retries, conflicts, ordering against expected sequences, concurrency, batches, window. */
class IdempotencyTest extends EmbeddedStoreTest {
    private static Coordinate c(String entity) {
        return Coordinate.of(entity, "idem");
    }

    private static AppendOptions keyed(IdempotencyKey key) {
        return AppendOptions.builder().idempotencyKey(key).build();
    }

    private static IdempotencyKey newKey() {
        return IdempotencyKey.of(UUID.randomUUID());
    }

    /** Reopens the store in {@code dir}, from its checkpoint or, with {@code scan}, by a full scan. */
    private BatpakStore reopen(BatpakStore store, StoreConfig config, boolean scan) throws Exception {
        TestSupport.closeStore(store);
        if (scan) {
            Files.delete(dir.resolve("index.ckpt"));
        }
        BatpakStore s = open(config);
        assertEquals(!scan, s.stats().openedFromCheckpoint());
        return s;
    }

    @Test
    void retryReturnsTheIdenticalReceiptAlsoAfterReopen() throws Exception {
        StoreConfig config = StoreConfig.builder(dir).build();
        BatpakStore store = open(config);
        IdempotencyKey key = newKey();
        AppendReceipt original = await(store.append(c("order:1"), KIND, "placed", keyed(key)));
        await(store.append(c("order:1"), KIND, "unrelated"));
        assertEquals(original, await(store.append(c("order:1"), KIND, "placed", keyed(key))));
        assertEquals(original, await(store.append(c("order:1"), KIND, "placed", keyed(key))));
        assertEquals(1, store.lastGlobalSequence(), "retries append nothing");

        for (boolean scan : new boolean[] {false, true}) {
            store = reopen(store, config, scan);
            assertEquals(original, await(store.append(c("order:1"), KIND, "placed", keyed(key))), "scan=" + scan);
            assertEquals(1, store.lastGlobalSequence());
        }
        assertChain(store, "order:1", 2);
    }

    @Test
    void reusingAKeyForAnotherAppendConflictsAlsoAfterReopen() throws Exception {
        StoreConfig config = StoreConfig.builder(dir).build();
        BatpakStore store = open(config);
        IdempotencyKey key = newKey();
        await(store.append(c("order:2"), KIND, "placed", keyed(key)));
        for (int round = 0; round < 3; round++) {
            BatpakStore s = store;
            assertConflict(key, s.append(c("order:2"), KIND, "other payload", keyed(key)));
            assertConflict(key, s.append(c("order:2"), OTHER_KIND, "placed", keyed(key)));
            assertConflict(key, s.append(c("order:3"), KIND, "placed", keyed(key)));
            assertConflict(key, s.append(Coordinate.of("order:2", "other-scope"), KIND, "placed", keyed(key)));
            assertEquals(0, s.lastGlobalSequence(), "conflicts store nothing (round " + round + ")");
            if (round < 2) {
                store = reopen(store, config, round == 1);
            }
        }
    }

    private static void assertConflict(IdempotencyKey key, CompletionStage<?> stage) {
        IdempotencyConflictException e = assertFails(IdempotencyConflictException.class, stage);
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains(key.toString()), e.getMessage());
    }

    @Test
    void keyIsCheckedBeforeTheExpectedSequence() throws Exception {
        StoreConfig config = StoreConfig.builder(dir).build();
        BatpakStore store = open(config);
        IdempotencyKey key = newKey();
        await(store.append(c("acct"), KIND, "open"));
        AppendOptions conditional = AppendOptions.builder().expect(ExpectedSequence.exact(0)).idempotencyKey(key).build();
        AppendReceipt original = await(store.append(c("acct"), KIND, "deposit", conditional));
        assertEquals(1, original.entitySequence());
        // The entity moved on, so exact(0) no longer holds, but the retry is recognised first.
        await(store.append(c("acct"), KIND, "later"));
        assertEquals(original, await(store.append(c("acct"), KIND, "deposit", conditional)));
        // A different append with exact(0) and no key does fail on the sequence.
        assertFails(SequenceMismatchException.class, store.append(c("acct"), KIND, "deposit",
                AppendOptions.builder().expect(ExpectedSequence.exact(0)).build()));
        store = reopen(store, config, true);
        assertEquals(original, await(store.append(c("acct"), KIND, "deposit", conditional)));
        assertEquals(2, store.lastGlobalSequence());
    }

    @Test
    void aFailedKeyedAppendDoesNotUseUpItsKey() {
        BatpakStore store = open(StoreConfig.builder(dir).build());
        IdempotencyKey key = newKey();
        assertFails(SequenceMismatchException.class, store.append(c("k"), KIND, "x",
                AppendOptions.builder().expect(ExpectedSequence.exact(3)).idempotencyKey(key).build()));
        AppendReceipt stored = await(store.append(c("k"), KIND, "x", keyed(key)));
        assertEquals(0, stored.globalSequence());
        assertEquals(stored, await(store.append(c("k"), KIND, "x", keyed(key))));
    }

    @Test
    void concurrentDuplicatesStoreOneEventAndGetIdenticalReceipts() throws Exception {
        BatpakStore store = open(StoreConfig.builder(dir).build());
        int threads = 16;
        int rounds = 20;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < rounds; round++) {
                IdempotencyKey key = newKey();
                CyclicBarrier barrier = new CyclicBarrier(threads);
                String payload = "payment-" + round;
                List<Future<AppendReceipt>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    results.add(pool.submit(() -> {
                        barrier.await(30, TimeUnit.SECONDS);
                        return store.append(c("wallet"), KIND, payload, keyed(key)).toCompletableFuture()
                                .get(60, TimeUnit.SECONDS);
                    }));
                }
                AppendReceipt first = results.get(0).get(60, TimeUnit.SECONDS);
                for (Future<AppendReceipt> f : results) {
                    assertEquals(first, f.get(60, TimeUnit.SECONDS), "round " + round);
                }
                assertEquals(round, first.entitySequence(), "one event per key");
                assertEquals(round, store.lastGlobalSequence());
            }
        } finally {
            pool.shutdownNow();
        }
        assertChain(store, "wallet", rounds);
    }

    @Test
    void batchRetryReturnsOriginalReceiptsAndPartialOverlapConflicts() throws Exception {
        StoreConfig config = StoreConfig.builder(dir).build();
        BatpakStore store = open(config);
        IdempotencyKey k1 = newKey();
        IdempotencyKey k2 = newKey();
        IdempotencyKey k3 = newKey();
        List<AppendRequest> batch = List.of(AppendRequest.of(c("x"), KIND, "x0", keyed(k1)),
                AppendRequest.of(c("y"), KIND, "y0", keyed(k2)));
        List<AppendReceipt> original = await(store.appendBatch(batch));
        assertEquals(original, await(store.appendBatch(batch)));
        assertEquals(1, store.lastGlobalSequence());

        List<AppendRequest> overlapping = List.of(AppendRequest.of(c("x"), KIND, "x0", keyed(k1)),
                AppendRequest.of(c("z"), KIND, "z0", keyed(k3)));
        assertFails(IdempotencyConflictException.class, store.appendBatch(overlapping));
        List<AppendRequest> unkeyedItem = List.of(AppendRequest.of(c("x"), KIND, "x0", keyed(k1)),
                AppendRequest.of(c("y"), KIND, "y0", keyed(k2)), AppendRequest.of(c("z"), KIND, "z1"));
        assertFails(IdempotencyConflictException.class, store.appendBatch(unkeyedItem));
        List<AppendRequest> changed = List.of(AppendRequest.of(c("x"), KIND, "x0", keyed(k1)),
                AppendRequest.of(c("y"), KIND, "y0-changed", keyed(k2)));
        assertFails(IdempotencyConflictException.class, store.appendBatch(changed));
        assertEquals(1, store.lastGlobalSequence(), "refused batches store nothing");
        assertEquals(List.of(), store.readEntity("z", 0, 10));

        // k3 was not consumed by the refused batch.
        AppendReceipt z = await(store.append(c("z"), KIND, "z0", keyed(k3)));
        assertEquals(2, z.globalSequence());
        assertEquals(0, z.entitySequence(), "the refused batches left no trace on z's head");
        assertChain(store, "z", 1);

        for (boolean scan : new boolean[] {false, true}) {
            store = reopen(store, config, scan);
            assertEquals(original, await(store.appendBatch(batch)), "scan=" + scan);
            assertFails(IdempotencyConflictException.class, store.appendBatch(List.of(
                    AppendRequest.of(c("x"), KIND, "x0", keyed(k1)), AppendRequest.of(c("w"), KIND, "w", keyed(newKey())))));
            assertEquals(2, store.lastGlobalSequence());
        }
    }

    @Test
    void keysExpireOutsideTheWindow() throws Exception {
        StoreConfig config = StoreConfig.builder(dir).idempotencyWindow(5).build();
        BatpakStore store = open(config);
        IdempotencyKey key = newKey();
        AppendReceipt original = await(store.append(c("w"), KIND, "keyed", keyed(key)));
        for (int i = 0; i < 4; i++) {
            await(store.append(c("filler"), KIND, "f" + i));
        }
        // Global sequences 0..4 are the last five: the key is still held.
        assertEquals(original, await(store.append(c("w"), KIND, "keyed", keyed(key))));
        await(store.append(c("filler"), KIND, "f4"));
        await(store.append(c("filler"), KIND, "f5"));
        // Six newer events: the key fell out of the window and the same append is stored again.
        AppendReceipt renewed = await(store.append(c("w"), KIND, "keyed", keyed(key)));
        assertNotEquals(original, renewed);
        assertEquals(7, renewed.globalSequence());
        assertEquals(1, renewed.entitySequence());
        assertEquals(renewed, await(store.append(c("w"), KIND, "keyed", keyed(key))), "the new event holds the key");

        // Eviction survives a reopen: the key now maps to the renewed event, and an old key stays expired.
        IdempotencyKey old = newKey();
        store = reopen(store, config, true);
        assertEquals(renewed, await(store.append(c("w"), KIND, "keyed", keyed(key))));
        AppendReceipt oldFirst = await(store.append(c("o"), KIND, "old", keyed(old)));
        for (int i = 0; i < 6; i++) {
            await(store.append(c("filler"), KIND, "g" + i));
        }
        store = reopen(store, config, false);
        AppendReceipt oldAgain = await(store.append(c("o"), KIND, "old", keyed(old)));
        assertNotEquals(oldFirst, oldAgain);
        assertEquals(1, oldAgain.entitySequence());
        assertChain(store, "w", 2);
        assertChain(store, "o", 2);
    }
}
