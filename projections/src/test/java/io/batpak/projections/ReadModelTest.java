package io.batpak.projections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.actors.BatpakStore;
import io.batpak.actors.StoreTestKit;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.error.InvalidInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ReadModelTest {
    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @TempDir
    Path dir;

    private static <T> T await(java.util.concurrent.CompletionStage<T> s) throws Exception {
        return s.toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    /** Appends {@code n} events over {@code entities} entities; returns the expected count and sum per entity. */
    private static Map<String, long[]> append(BatpakStore store, int n, int entities, long seed,
                                              Map<String, long[]> truth) throws Exception {
        Random r = new Random(seed);
        List<AppendRequest> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String entity = "acct:" + r.nextInt(entities);
            long amount = r.nextInt(1000) - 100;
            batch.add(AppendRequest.encoded(Coordinate.of(entity, "bank"), Counting.KIND, Counting.payload(amount), 0,
                    io.batpak.core.AppendOptions.DEFAULT));
            long[] t = truth.computeIfAbsent(entity, k -> new long[2]);
            t[0]++;
            t[1] += amount;
            if (batch.size() == 500) {
                await(store.appendBatch(batch));
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            await(store.appendBatch(batch));
        }
        // an event of another kind, which the model's region excludes
        await(store.append(Coordinate.of("acct:0", "bank"), EventKind.of(0x1, 0x002), Counting.payload(7)));
        return truth;
    }

    private static void assertModelEquals(Projections p, ReadModel model, Map<String, long[]> truth) {
        p.query(model, view -> {
            assertEquals(truth.size(), view.count(Counting.COUNTS));
            for (Map.Entry<String, long[]> t : truth.entrySet()) {
                assertEquals(t.getValue()[0], view.getLong(Counting.COUNTS, Keys.of(t.getKey()), -1), t.getKey());
                assertEquals(t.getValue()[1], view.getLong(Counting.SUMS, Keys.of(t.getKey()), -1), t.getKey());
            }
            return null;
        });
    }

    @Test
    void aModelAppliesEveryEventOnceAndResumesFromItsOwnOffset() throws Exception {
        BatpakStore store = kit.open(StoreConfig.builder(dir).build());
        Projections p = Projections.open(store);
        ReadModel model = Counting.model("balances");
        Map<String, long[]> truth = append(store, 3000, 40, 1, new HashMap<>());
        ReadModelControl control = p.start(model, ReadModelSettings.create(kit.system()).withBatchSize(256));
        await(control.awaitOffset(store.lastGlobalSequence() - 1));
        assertModelEquals(p, model, truth);
        ReadModelStatus status = control.status();
        assertEquals(store.lastGlobalSequence() - 1, status.offset(), "the last event is of another kind");
        assertEquals(0, status.lag());
        assertTrue(status.running());
        assertThrows(InvalidInputException.class, () -> p.start(model), "one runner per model");
        await(control.stop());
        assertFalse(control.status().running());

        append(store, 1000, 40, 2, truth);
        long offsetBefore = p.offset("balances");
        assertEquals(status.offset(), offsetBefore);
        ReadModelControl again = p.start(model);
        await(again.awaitOffset(store.lastGlobalSequence() - 1));
        assertModelEquals(p, model, truth);
        await(again.stop());
        p.close();
        // a new owner on the same directory sees the committed data and offset
        try (Projections reopened = Projections.open(store)) {
            assertEquals(store.lastGlobalSequence() - 1, reopened.offset("balances"));
            assertModelEquals(reopened, model, truth);
        }
    }

    @Test
    void queriesRunConcurrentlyWithTheRunnerAndSeeWholeBatches() throws Exception {
        BatpakStore store = kit.open(StoreConfig.builder(dir).build());
        try (Projections p = Projections.open(store)) {
            // every event adds 1 to "total" and 1 to its entity: a query must never see the two disagree
            ReadModel model = ReadModel.of("totals", Region.all().withKind(Counting.KIND), List.of("t"), (e, txn) -> {
                txn.addLong("t", Keys.of("total"), 1);
                txn.addLong("t", Keys.of("e/" + e.coordinate().entity()), 1);
            });
            ReadModelControl control = p.start(model, ReadModelSettings.create(kit.system()).withBatchSize(50));
            AtomicBoolean stop = new AtomicBoolean();
            List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                while (!stop.get()) {
                    p.query(model, view -> {
                        long total = view.getLong("t", Keys.of("total"), 0);
                        long sum = 0;
                        for (ReadView.KeyValue kv : view.range("t", Keys.of("e/"), Keys.of("e0"), Integer.MAX_VALUE)) {
                            sum += Keys.toLong(kv.value());
                        }
                        if (sum != total) {
                            problems.add("total " + total + " but entities sum to " + sum);
                        }
                        return null;
                    });
                }
            });
            reader.start();
            append(store, 4000, 10, 3, new HashMap<>());
            await(control.awaitOffset(store.lastGlobalSequence() - 1));
            stop.set(true);
            reader.join();
            assertEquals(List.of(), problems);
            assertEquals((Long) 4000L, p.query(model, v -> v.getLong("t", Keys.of("total"), 0)));
            await(control.stop());
        }
    }

    @Test
    void aThrowingHandlerStopsTheModelWithTheEventAndCommitsNothingOfItsBatch() throws Exception {
        BatpakStore store = kit.open(StoreConfig.builder(dir).build());
        try (Projections p = Projections.open(store)) {
            Map<String, long[]> truth = append(store, 100, 5, 4, new HashMap<>());
            long poison = 57;
            ReadModel failing = ReadModel.of("fragile", Region.all().withKind(Counting.KIND), List.of("n"), (e, txn) -> {
                if (e.globalSequence() == poison) {
                    throw new IllegalStateException("cannot handle this one");
                }
                txn.addLong("n", Keys.of("count"), 1);
            });
            ReadModelControl control = p.start(failing, ReadModelSettings.create(kit.system()).withBatchSize(10));
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> control.done().toCompletableFuture().get(60, TimeUnit.SECONDS));
            ReadModelException failure = assertInstanceOf(ReadModelException.class, e.getCause());
            assertEquals("fragile", failure.model());
            assertEquals(poison, failure.globalSequence());
            assertInstanceOf(IllegalStateException.class, failure.getCause());
            assertTrue(control.status().lastError().isPresent());
            // batches of 10: 0..49 committed, the batch 50..59 aborted entirely
            assertEquals(49, p.offset("fragile"));
            assertEquals((Long) 50L, p.query(failing, v -> v.getLong("n", Keys.of("count"), 0)));
            assertEquals(truth.size(), 5);
            // a fixed handler resumes exactly at the poisoned event
            ReadModel fixed = ReadModel.of("fragile", failing.region(), List.of("n"),
                    (ev, txn) -> txn.addLong("n", Keys.of("count"), 1));
            ReadModelControl resumed = p.start(fixed);
            await(resumed.awaitOffset(99));
            assertEquals((Long) 100L, p.query(fixed, v -> v.getLong("n", Keys.of("count"), 0)));
            await(resumed.stop());
        }
    }

    @Test
    void rebuildDropsTheDataAndReplaysFromTheStart() throws Exception {
        BatpakStore store = kit.open(StoreConfig.builder(dir).build());
        try (Projections p = Projections.open(store)) {
            Map<String, long[]> truth = append(store, 500, 7, 5, new HashMap<>());
            ReadModel model = Counting.model("rebuilt");
            ReadModelControl c = p.start(model);
            assertThrows(InvalidInputException.class, () -> p.rebuild(model), "not while running");
            await(c.awaitOffset(store.lastGlobalSequence() - 1));
            await(c.stop());
            await(p.rebuild(model));
            assertEquals(-1, p.offset("rebuilt"));
            assertEquals((Long) 0L, p.query(model, v -> v.count(Counting.COUNTS)));
            ReadModelControl again = p.start(model);
            await(again.awaitOffset(store.lastGlobalSequence() - 1));
            assertModelEquals(p, model, truth);
            await(again.stop());
        }
    }

    @Test
    void aTinyMapGrowsAndLosesNothing() throws Exception {
        BatpakStore store = kit.open(StoreConfig.builder(dir).build());
        ProjectionSettings tiny = ProjectionSettings.create(kit.system()).withInitialMapSize(64 * 1024);
        try (Projections p = Projections.open(store, tiny)) {
            ReadModel wide = ReadModel.of("wide", Region.all().withKind(Counting.KIND), List.of("rows"), (e, txn) ->
                    txn.put("rows", Keys.ofLong(e.globalSequence()), new byte[200]));
            append(store, 5000, 50, 6, new HashMap<>());
            ReadModelControl c = p.start(wide, ReadModelSettings.create(kit.system()).withBatchSize(1000));
            await(c.awaitOffset(store.lastGlobalSequence() - 1));
            assertEquals((Long) 5000L, p.query(wide, v -> v.count("rows")));
            assertTrue(p.mapGrowths() > 0, "the map grew");
            await(c.stop());
        }
    }

    @Test
    void namesAndUndeclaredDatabasesAreRefused() throws Exception {
        assertThrows(InvalidInputException.class, () -> ReadModel.of("bad name", Region.all(), List.of("d"),
                (e, t) -> { }));
        assertThrows(InvalidInputException.class, () -> ReadModel.of("m", Region.all(), List.of(), (e, t) -> { }));
        BatpakStore store = kit.open(StoreConfig.builder(dir).build());
        try (Projections p = Projections.open(store)) {
            ReadModel model = ReadModel.of("m", Region.all(), List.of("d"), (e, t) -> { });
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> p.query(model, v -> v.get("other", Keys.of("k"))));
            assertTrue(e.getMessage().contains("'other'"), e.getMessage());
        }
    }
}
