package io.batpak.projections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.actors.BatpakStore;
import io.batpak.actors.StoreTestKit;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.InvalidInputException;
import io.batpak.streams.CursorControl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class EntityProjectionTest {
    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    static final EventKind DEPOSIT = EventKind.of(0x2, 0x001);
    static final EventKind NOTE = EventKind.of(0x2, 0x002);

    /** A state Jackson can encode: the number of deposits and their sum. */
    public record Balance(long deposits, long cents) {
    }

    @TempDir
    Path dir;

    private static Projection<Balance> balance(int version, boolean withNotes) {
        Projection.Builder<Balance> b = Projection.builder("balance", Balance.class).version(version)
                .initial(new Balance(0, 0)).kinds(DEPOSIT)
                .fold((s, e) -> e.kind().equals(DEPOSIT) ? new Balance(s.deposits() + 1, s.cents() + amount(e))
                        : new Balance(s.deposits(), s.cents() + 1_000_000));
        return withNotes ? b.kinds(NOTE).build() : b.build();
    }

    private static long amount(StoredEvent e) {
        return java.nio.ByteBuffer.wrap(e.payload()).getLong();
    }

    private static Balance fullReplay(BatpakStore store, String entity, boolean withNotes) {
        Balance s = new Balance(0, 0);
        for (StoredEvent e : store.readEntity(entity, 0, Integer.MAX_VALUE)) {
            if (e.kind().equals(DEPOSIT)) {
                s = new Balance(s.deposits() + 1, s.cents() + amount(e));
            } else if (withNotes && e.kind().equals(NOTE)) {
                s = new Balance(s.deposits(), s.cents() + 1_000_000);
            }
        }
        return s;
    }

    private static void appendRandom(BatpakStore store, Random r, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            String entity = "acct:" + r.nextInt(6);
            EventKind kind = r.nextInt(5) == 0 ? NOTE : DEPOSIT;
            store.append(Coordinate.of(entity, "bank"), kind, Counting.payload(r.nextInt(500)))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void incrementalProjectionEqualsFullReplayAcrossReopenAndSchemaChanges() throws Exception {
        Random r = new Random(11);
        BatpakStore store = kit.open(StoreConfig.builder(dir.resolve("store")).build());
        ProjectionSettings settings = ProjectionSettings.create(kit.system()).withDir(dir.resolve("proj"));
        Projections p = Projections.open(store, settings);
        Projection<Balance> v1 = balance(1, false);
        for (int round = 0; round < 12; round++) {
            appendRandom(store, r, 1 + r.nextInt(40));
            for (int a = 0; a < 6; a++) {
                String entity = "acct:" + a;
                Projected<Balance> got = p.projected(entity, v1, Freshness.consistent());
                assertEquals(fullReplay(store, entity, false), got.state(), "round " + round + " " + entity);
                assertEquals(store.lastEntitySequence(entity), got.lastEntitySequence());
            }
            if (round == 5) {
                p.close();
                kit.close(store);
                store = kit.open(StoreConfig.builder(dir.resolve("store")).build());
                p = Projections.open(store, settings);
            }
        }
        // with no new event a consistent call is answered from the cache
        Projected<Balance> cached = p.projected("acct:1", v1, Freshness.consistent());
        assertTrue(cached.fromCache());
        // a new version that also reads notes: the old cache is not used
        Projection<Balance> v2 = balance(2, true);
        for (int a = 0; a < 6; a++) {
            Projected<Balance> got = p.projected("acct:" + a, v2, Freshness.consistent());
            assertFalse(got.fromCache());
            assertEquals(fullReplay(store, "acct:" + a, true), got.state());
        }
        // a changed kinds set under the same version is a different fingerprint too
        Projection<Balance> v1Notes = balance(1, true);
        assertEquals(fullReplay(store, "acct:2", true), p.project("acct:2", v1Notes, Freshness.consistent()));
        assertEquals(new Balance(0, 0), p.project("acct:none", v1, Freshness.consistent()));
        p.close();
    }

    @Test
    void maxStaleMayAnswerFromTheCacheAndConsistentNeverDoes() throws Exception {
        BatpakStore store = kit.open(StoreConfig.builder(dir).build());
        try (Projections p = Projections.open(store)) {
            Projection<Balance> v1 = balance(1, false);
            store.append(Coordinate.of("acct:1", "bank"), DEPOSIT, Counting.payload(5)).toCompletableFuture().get();
            assertEquals(new Balance(1, 5), p.project("acct:1", v1, Freshness.consistent()));
            // the cache write is asynchronous: wait until a stale read can see it
            io.batpak.actors.Polling.eventually("the cache holds the state", () ->
                    p.projected("acct:1", v1, Freshness.maxStale(Duration.ofHours(1))).fromCache(), Duration.ofSeconds(10));
            store.append(Coordinate.of("acct:1", "bank"), DEPOSIT, Counting.payload(7)).toCompletableFuture().get();
            Projected<Balance> stale = p.projected("acct:1", v1, Freshness.maxStale(Duration.ofHours(1)));
            assertTrue(stale.fromCache());
            assertEquals(new Balance(1, 5), stale.state(), "a bounded-stale read may miss the newest event");
            assertEquals(new Balance(2, 12), p.project("acct:1", v1, Freshness.consistent()));
            assertThrows(InvalidInputException.class, () -> Freshness.maxStale(Duration.ofSeconds(-1)));
            assertThrows(InvalidInputException.class, () -> p.project("bad/entity", v1, Freshness.consistent()));
        }
    }

    @Test
    void watchDeliversEveryStateInOrderUnderConcurrentAppends() throws Exception {
        BatpakStore store = kit.open(StoreConfig.builder(dir).build());
        try (Projections p = Projections.open(store)) {
            Projection<Balance> v1 = balance(1, false);
            store.append(Coordinate.of("acct:w", "bank"), DEPOSIT, Counting.payload(1)).toCompletableFuture().get();
            int more = 200;
            Pair<CursorControl, CompletionStage<List<Balance>>> run = p.watch("acct:w", v1).take(more + 1)
                    .toMat(Sink.seq(), Keep.both()).run(kit.system());
            Thread other = new Thread(() -> {
                try {
                    appendRandom(store, new Random(3), 100);    // other entities, interleaved
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            other.start();
            for (int i = 2; i <= more + 1; i++) {
                store.append(Coordinate.of("acct:w", "bank"), DEPOSIT, Counting.payload(i)).toCompletableFuture().get();
            }
            other.join();
            List<Balance> states = run.second().toCompletableFuture().get(60, TimeUnit.SECONDS);
            // a consumer that keeps up sees every state: deposit counts 1, 2, ..., more + 1
            List<Long> counts = new ArrayList<>();
            for (Balance b : states) {
                counts.add(b.deposits());
            }
            List<Long> expected = new ArrayList<>();
            for (long i = 1; i <= more + 1; i++) {
                expected.add(i);
            }
            assertEquals(expected, counts);
            assertEquals(fullReplay(store, "acct:w", false), states.get(states.size() - 1));
        }
    }

    @Test
    void watchConflatesToTheNewestStateWhenTheConsumerStalls() throws Exception {
        BatpakStore store = kit.open(StoreConfig.builder(dir).build());
        try (Projections p = Projections.open(store)) {
            Projection<Balance> v1 = balance(1, false);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            List<Balance> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            int total = 300;
            CompletionStage<org.apache.pekko.Done> done = p.watch("acct:c", v1)
                    .map(b -> {
                        if (seen.isEmpty()) {
                            seen.add(b);
                            release.await();      // the consumer stalls on the first state
                        } else {
                            seen.add(b);
                        }
                        return b;
                    })
                    .takeWhile(b -> b.deposits() < total, true)
                    .runWith(Sink.ignore(), kit.system());
            io.batpak.actors.Polling.eventually("the first state arrived", () -> !seen.isEmpty(), Duration.ofSeconds(10));
            for (int i = 1; i <= total; i++) {
                store.append(Coordinate.of("acct:c", "bank"), DEPOSIT, Counting.payload(1)).toCompletableFuture().get();
            }
            release.countDown();
            done.toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertEquals(new Balance(total, total), seen.get(seen.size() - 1), "the newest state is delivered");
            assertTrue(seen.size() < total + 1, "states were conflated while the consumer stalled: " + seen.size());
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(seen.get(i).deposits() > seen.get(i - 1).deposits(), "in order");
            }
        }
    }
}
