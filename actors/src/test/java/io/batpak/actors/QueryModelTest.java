package io.batpak.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.IndexEntry;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.InvalidQueryException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Region queries, the index-only query and the entity registry against a naive in-memory model, over seeded random
 * appends, atomic batches and reopens (with and without the index checkpoint), across several segments.
 */
@Tag("slow")
class QueryModelTest {
    private static final String[] ENTITIES = {"order", "order:1", "order:2", "order:1:line", "order:10", "orders",
        "customer", "customer:7", "c", "c:order"};
    private static final String[] PREFIXES = {"order", "order:1", "orders", "customer", "c", "ord", "order:1:line",
        "missing"};
    private static final String[] SCOPES = {"eu", "us", "apac"};
    private static final int OPERATIONS = 500;

    /** One event of the model; its position in the model list is its global sequence. */
    private record ModelEvent(String entity, String scope, int kind, long entitySequence, byte[] payload) {
    }

    @TempDir
    Path dir;

    private StoreConfig config() {
        return StoreConfig.builder(dir).segmentMaxBytes(64 * 1024).maxPayloadBytes(4096).build();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 22, 33, 44, 55})
    void queriesMatchTheModel(long seed) throws Exception {
        Random rnd = new Random(seed);
        List<ModelEvent> model = new ArrayList<>();
        BatpakStore store = BatpakStore.open(config());
        try {
            for (int op = 1; op <= OPERATIONS; op++) {
                int dice = rnd.nextInt(100);
                if (dice < 70) {
                    ModelEvent e = next(rnd, model, List.of());
                    TestSupport.await(store.append(Coordinate.of(e.entity(), e.scope()), EventKind.fromRaw(e.kind()),
                            e.payload()));
                    model.add(e);
                } else if (dice < 96) {
                    int n = 2 + rnd.nextInt(5);
                    List<ModelEvent> batch = new ArrayList<>();
                    List<AppendRequest> requests = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        ModelEvent e = next(rnd, model, batch);
                        batch.add(e);
                        requests.add(AppendRequest.of(Coordinate.of(e.entity(), e.scope()), EventKind.fromRaw(e.kind()),
                                e.payload()));
                    }
                    TestSupport.await(store.appendBatch(requests));
                    model.addAll(batch);
                } else {
                    TestSupport.closeStore(store);
                    if (rnd.nextBoolean()) {
                        Files.deleteIfExists(dir.resolve("index.ckpt"));
                    }
                    store = BatpakStore.open(config());
                }
                if (op % 100 == 0) {
                    check(store, model, rnd);
                }
            }
            assertTrue(TestSupport.segmentFiles(dir).size() > 1, "the data should span several segments");
            TestSupport.closeStore(store);
            store = BatpakStore.open(config());
            check(store, model, rnd);
        } finally {
            TestSupport.closeStore(store);
        }
    }

    private static ModelEvent next(Random rnd, List<ModelEvent> model, List<ModelEvent> pending) {
        String entity = ENTITIES[rnd.nextInt(ENTITIES.length)];
        long seq = 0;
        for (ModelEvent m : model) {
            if (m.entity().equals(entity)) {
                seq++;
            }
        }
        for (ModelEvent m : pending) {
            if (m.entity().equals(entity)) {
                seq++;
            }
        }
        byte[] payload = new byte[1 + rnd.nextInt(200)];
        rnd.nextBytes(payload);
        int kind = EventKind.of(1 + rnd.nextInt(3), 1 + rnd.nextInt(3)).raw();
        return new ModelEvent(entity, SCOPES[rnd.nextInt(SCOPES.length)], kind, seq, payload);
    }

    private static Region randomRegion(Random rnd) {
        Region r = rnd.nextInt(3) == 0 ? Region.all() : Region.entity(PREFIXES[rnd.nextInt(PREFIXES.length)]);
        if (rnd.nextInt(3) == 0) {
            r = r.withScope(SCOPES[rnd.nextInt(SCOPES.length)]);
        }
        int k = rnd.nextInt(4);
        if (k == 0) {
            r = r.withKind(EventKind.of(1 + rnd.nextInt(3), 1 + rnd.nextInt(3)));
        } else if (k == 1) {
            r = r.withCategory(1 + rnd.nextInt(4));
        }
        if (rnd.nextInt(4) == 0) {
            long from = rnd.nextInt(10);
            r = r.withSequenceRange(from, from + rnd.nextInt(15));
        }
        return r;
    }

    private static void check(BatpakStore store, List<ModelEvent> model, Random rnd) {
        assertEquals(model.size() - 1, store.lastGlobalSequence());
        for (int i = 0; i < 40; i++) {
            Region region = randomRegion(rnd);
            List<Integer> expected = new ArrayList<>();
            for (int g = 0; g < model.size(); g++) {
                ModelEvent m = model.get(g);
                if (region.matches(m.entity(), m.scope(), m.kind(), m.entitySequence())) {
                    expected.add(g);
                }
            }
            int limit = 1 + rnd.nextInt(40);
            List<Integer> actual = new ArrayList<>();
            long after = -1;
            while (true) {
                List<StoredEvent> page = store.query(region, after, limit);
                assertTrue(page.size() <= limit);
                if (page.isEmpty()) {
                    break;
                }
                for (StoredEvent e : page) {
                    int g = (int) e.globalSequence();
                    ModelEvent m = model.get(g);
                    assertEquals(m.entity(), e.coordinate().entity(), region.identity());
                    assertEquals(m.scope(), e.coordinate().scope());
                    assertEquals(m.kind(), e.kind().raw());
                    assertEquals(m.entitySequence(), e.entitySequence());
                    assertArrayEquals(m.payload(), e.payload());
                    actual.add(g);
                }
                after = page.get(page.size() - 1).globalSequence();
            }
            assertEquals(expected, actual, "query " + region.identity());
            long start = expected.isEmpty() ? -1 : expected.get(expected.size() / 2) - 1L;
            List<IndexEntry> light = store.queryIndex(region, start, 25);
            List<StoredEvent> full = store.query(region, start, 25);
            assertEquals(full.size(), light.size());
            for (int j = 0; j < full.size(); j++) {
                StoredEvent e = full.get(j);
                IndexEntry x = light.get(j);
                assertEquals(e.globalSequence(), x.globalSequence());
                assertEquals(e.eventId(), x.eventId());
                assertEquals(e.coordinate(), x.coordinate());
                assertEquals(e.kind(), x.kind());
                assertEquals(e.entitySequence(), x.entitySequence());
            }
        }
        for (String prefix : new String[] {null, "order", "c", "customer", "order:1", "nothing"}) {
            TreeSet<String> names = new TreeSet<>();
            for (ModelEvent m : model) {
                if (prefix == null || Region.namespaceMatches(prefix, m.entity())) {
                    names.add(m.entity());
                }
            }
            List<String> paged = new ArrayList<>();
            String after = null;
            while (true) {
                List<String> page = store.entities(prefix, after, 3);
                if (page.isEmpty()) {
                    break;
                }
                paged.addAll(page);
                after = page.get(page.size() - 1);
            }
            assertEquals(new ArrayList<>(names), paged, "entities " + prefix);
        }
    }

    @TempDir
    Path wide;

    @Test
    void aNamespaceWithManyEntitiesIsMatchedCompletely() {
        BatpakStore store = BatpakStore.open(StoreConfig.builder(wide).build());
        try {
            Random rnd = new Random(7);
            List<ModelEvent> model = new ArrayList<>();
            List<AppendRequest> batch = new ArrayList<>();
            int[] counts = new int[150];
            for (int i = 0; i < 1200; i++) {
                int n = rnd.nextInt(counts.length);
                String entity = n % 10 == 0 ? "bulkier:" + n : "bulk:" + n;
                String scope = SCOPES[rnd.nextInt(SCOPES.length)];
                int kind = EventKind.of(1, 1 + rnd.nextInt(2)).raw();
                model.add(new ModelEvent(entity, scope, kind, counts[n]++, new byte[] {(byte) i}));
                batch.add(AppendRequest.of(Coordinate.of(entity, scope), EventKind.fromRaw(kind), new byte[] {(byte) i}));
                if (batch.size() == 100) {
                    TestSupport.await(store.appendBatch(batch));
                    batch = new ArrayList<>();
                }
            }
            for (Region region : List.of(Region.entity("bulk"), Region.entity("bulk").withScope("eu"),
                    Region.entity("bulk").withKind(EventKind.of(1, 2)), Region.entity("bulk").withSequenceRange(2, 5),
                    Region.entity("bulkier"))) {
                List<Integer> expected = new ArrayList<>();
                for (int g = 0; g < model.size(); g++) {
                    ModelEvent m = model.get(g);
                    if (region.matches(m.entity(), m.scope(), m.kind(), m.entitySequence())) {
                        expected.add(g);
                    }
                }
                List<Integer> actual = new ArrayList<>();
                long after = -1;
                List<IndexEntry> page;
                while (!(page = store.queryIndex(region, after, 37)).isEmpty()) {
                    page.forEach(x -> actual.add((int) x.globalSequence()));
                    after = page.get(page.size() - 1).globalSequence();
                }
                assertEquals(expected, actual, region.identity());
            }
        } finally {
            TestSupport.closeStore(store);
        }
    }

    @TempDir
    Path other;

    @Test
    void conveniencesAndArgumentErrors() {
        BatpakStore store = BatpakStore.open(StoreConfig.builder(other).build());
        try {
            EventKind a = EventKind.of(1, 1);
            EventKind b = EventKind.of(2, 1);
            TestSupport.await(store.append(Coordinate.of("x", "eu"), a, new byte[] {1}));
            TestSupport.await(store.append(Coordinate.of("y", "us"), b, new byte[] {2}));
            TestSupport.await(store.append(Coordinate.of("x", "us"), a, new byte[] {3}));
            assertEquals(List.of(1L, 2L), store.byScope("us", -1, 10).stream().map(StoredEvent::globalSequence).toList());
            assertEquals(List.of(0L, 2L), store.byKind(a, -1, 10).stream().map(StoredEvent::globalSequence).toList());
            assertEquals(List.of(2L), store.byKind(a, 0, 10).stream().map(StoredEvent::globalSequence).toList());
            assertEquals(List.of(), store.byKind(EventKind.of(3, 3), -1, 10));
            assertEquals(List.of(), store.byScope("nowhere", -1, 10));
            assertEquals(List.of(), store.query(Region.all(), 2, 10), "nothing after the last event");
            assertEquals(List.of(), store.query(Region.all(), -1, 0), "limit 0");
            assertThrows(InvalidQueryException.class, () -> store.query(null, -1, 10));
            assertThrows(InvalidQueryException.class, () -> store.query(Region.all(), -2, 10));
            assertThrows(InvalidQueryException.class, () -> store.query(Region.all(), -1, -1));
            assertThrows(InvalidQueryException.class, () -> store.entities(null, null, -1));
            List<StoredEvent> live = store.query(Region.scope("us"), -1, 10);
            TestSupport.closeStore(store);
            try (ReadOnlyStore ro = ReadOnlyStore.open(StoreConfig.builder(other).build())) {
                assertEquals(live.stream().map(StoredEvent::eventId).toList(),
                        ro.query(Region.scope("us"), -1, 10).stream().map(StoredEvent::eventId).toList());
                assertEquals(List.of("x", "y"), ro.entities(null, null, 10));
                assertEquals(2, ro.queryIndex(Region.all().withKind(a), -1, 10).size());
            }
        } finally {
            TestSupport.closeStore(store);
        }
    }
}
