package io.batpak.bench;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendOptions;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.projections.Freshness;
import io.batpak.projections.Keys;
import io.batpak.projections.Projection;
import io.batpak.projections.ProjectionSettings;
import io.batpak.projections.Projections;
import io.batpak.projections.ReadModel;
import io.batpak.projections.ReadModelControl;
import io.batpak.projections.ReadModelSettings;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Entity projections and read models:
 * <ul>
 *   <li>{@code project()} of an entity with 10,000 events: cold (no cache), cached and consistent with no new event,
 *       cached with 10 new events;</li>
 *   <li>read-model throughput of a counting model (count and sum per entity): batches of 1,000 into LMDB, one event
 *       per transaction, and the pekko-projection-jdbc way (each batch of 1,000 events and its offset in one H2 JDBC
 *       transaction).</li>
 * </ul>
 * {@code java -cp bench/target/batpak-bench.jar io.batpak.bench.ProjectionBench [read-model-events] [rounds]}
 */
public final class ProjectionBench {
    private static final EventKind DEPOSIT = EventKind.of(0x1, 0x001);
    private static final int ENTITY_EVENTS = 10_000;
    private static final int ENTITIES = 1_000;

    private ProjectionBench() {
    }

    public record Balance(long deposits, long cents) {
    }

    private static byte[] payload(long cents) {
        return ByteBuffer.allocate(100).putLong(cents).array();
    }

    private static long cents(StoredEvent e) {
        return ByteBuffer.wrap(e.payload()).getLong();
    }

    private static Projection<Balance> balance(int version) {
        return Projection.builder("balance", Balance.class).version(version).initial(new Balance(0, 0)).kinds(DEPOSIT)
                .fold((b, e) -> new Balance(b.deposits() + 1, b.cents() + cents(e))).build();
    }

    public static void main(String[] args) throws Exception {
        int modelEvents = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createTempDirectory(Path.of("bench", "target"), "projection-bench");
        try (BatpakStore store = BatpakStore.open(StoreConfig.builder(dir.resolve("store")).build())) {
            projectCells(store, dir, rounds);
            readModelCells(store, dir, modelEvents, rounds);
        } finally {
            Files2.deleteTree(dir);
        }
    }

    private static void appendAll(BatpakStore store, List<AppendRequest> requests) throws Exception {
        for (int i = 0; i < requests.size(); i += 1000) {
            store.appendBatch(requests.subList(i, Math.min(requests.size(), i + 1000))).toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
        }
    }

    private static void projectCells(BatpakStore store, Path dir, int rounds) throws Exception {
        List<AppendRequest> requests = new ArrayList<>();
        for (int i = 0; i < ENTITY_EVENTS; i++) {
            requests.add(AppendRequest.encoded(Coordinate.of("account:big", "bank"), DEPOSIT, payload(i), 0,
                    AppendOptions.DEFAULT));
        }
        appendAll(store, requests);
        double[] cold = new double[rounds * 4];
        double[] cached = new double[500];
        double[] ten = new double[rounds * 4];
        try (Projections p = Projections.open(store, ProjectionSettings.defaults().withDir(dir.resolve("proj")))) {
            for (int i = 0; i < cold.length; i++) {
                Projection<Balance> fresh = balance(100 + i);           // a new version: nothing cached
                long t0 = System.nanoTime();
                p.project("account:big", fresh, Freshness.consistent());
                cold[i] = (System.nanoTime() - t0) / 1e3;
            }
            Projection<Balance> v1 = balance(1);
            p.project("account:big", v1, Freshness.consistent());
            Thread.sleep(200);                                          // let the background cache write land
            for (int i = 0; i < 2_000; i++) {
                p.project("account:big", v1, Freshness.consistent());    // warm-up (JIT)
            }
            for (int i = 0; i < cached.length; i++) {
                long t0 = System.nanoTime();
                p.project("account:big", v1, Freshness.consistent());
                cached[i] = (System.nanoTime() - t0) / 1e3;
            }
            for (int i = 0; i < ten.length; i++) {
                List<AppendRequest> more = new ArrayList<>();
                for (int j = 0; j < 10; j++) {
                    more.add(AppendRequest.encoded(Coordinate.of("account:big", "bank"), DEPOSIT, payload(j), 0,
                            AppendOptions.DEFAULT));
                }
                appendAll(store, more);
                long t0 = System.nanoTime();
                p.project("account:big", v1, Freshness.consistent());
                ten[i] = (System.nanoTime() - t0) / 1e3;
                Thread.sleep(20);
            }
        }
        double c = median(cold);
        double h = median(cached);
        double t = median(ten);
        System.out.printf(Locale.ROOT, "project(), entity of %,d events: cold %.0f us, cached consistent %.1f us "
                + "(%.0fx faster), cached + 10 new events %.1f us (medians of %d, %d and %d calls)%n", ENTITY_EVENTS, c,
                h, c / h, t, cold.length, cached.length, ten.length);
    }

    private static void readModelCells(BatpakStore store, Path dir, int events, int rounds) throws Exception {
        List<AppendRequest> requests = new ArrayList<>(1000);
        for (int i = 0; i < events; i++) {
            requests.add(AppendRequest.encoded(Coordinate.of("acct:" + (i % ENTITIES), "bank"), DEPOSIT,
                    payload(i % 997), 0, AppendOptions.DEFAULT));
            if (requests.size() == 1000) {
                appendAll(store, requests);
                requests.clear();
            }
        }
        appendAll(store, requests);
        long last = store.lastGlobalSequence();
        Region region = Region.all().withKind(DEPOSIT).withSequenceRange(0, Long.MAX_VALUE);
        int singles = Math.min(events, 3_000);
        double[] batched = new double[rounds];
        double[] single = new double[rounds];
        double[] h2 = new double[rounds];
        double[] noop = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            try (Projections p = Projections.open(store, ProjectionSettings.defaults()
                    .withDir(dir.resolve("models-" + r)))) {
                batched[r] = runModel(store, p, "batched", region, 1000, last);
                single[r] = runModel(store, p, "single", region, 1, singles - 1);
                noop[r] = runModel(store, p, ReadModel.of("noop", region, List.of("none"), (e, txn) -> { }), 1000,
                        last);
            }
            h2[r] = h2Model(store, dir.resolve("h2-" + r), last);
            System.out.printf(Locale.ROOT, "round %d: LMDB batches of 1000 %,.0f events/s, one per transaction "
                    + "%,.0f events/s, H2 JDBC batches of 1000 %,.0f events/s, a handler that writes nothing "
                    + "%,.0f events/s%n", r + 1, batched[r], single[r], h2[r], noop[r]);
        }
        System.out.printf(Locale.ROOT, "read model (count + sum per entity, %,d entities, %,d events): LMDB batches of "
                + "1000 %,.0f events/s, one per transaction %,.0f events/s, H2 JDBC batches of 1000 %,.0f events/s; "
                + "LMDB / H2 %.1fx; a handler that writes nothing (cursor, batching, offset commits) %,.0f events/s "
                + "(medians of %d)%n", ENTITIES, last + 1, median(batched), median(single), median(h2),
                median(batched) / median(h2), median(noop), rounds);
    }

    private static ReadModel counting(String name, Region region) {
        return ReadModel.of(name, region, List.of("counts", "sums"), (e, txn) -> {
            byte[] key = Keys.of(e.coordinate().entity());
            txn.addLong("counts", key, 1);
            txn.addLong("sums", key, cents(e));
        });
    }

    /** Events/s of a new counting model from the store's first event up to global sequence {@code upTo}. */
    private static double runModel(BatpakStore store, Projections p, String name, Region region, int batch, long upTo)
            throws Exception {
        return runModel(store, p, counting(name, region), batch, upTo);
    }

    private static double runModel(BatpakStore store, Projections p, ReadModel model, int batch, long upTo)
            throws Exception {
        long t0 = System.nanoTime();
        ReadModelControl c = p.start(model, ReadModelSettings.create(store.system()).withBatchSize(batch));
        c.awaitOffset(upTo).toCompletableFuture().get(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - t0) / 1e9;
        c.stop().toCompletableFuture().get(1, TimeUnit.MINUTES);
        return (upTo + 1) / seconds;
    }

    /** The pekko-projection-jdbc exactly-once way: each batch's upserts and its offset in one JDBC transaction. */
    private static double h2Model(BatpakStore store, Path dir, long last) throws Exception {
        Files.createDirectories(dir);
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.toAbsolutePath().resolve("model"), "sa",
                "")) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE counts (entity VARCHAR(200) PRIMARY KEY, n BIGINT NOT NULL, s BIGINT NOT NULL)");
                s.execute("CREATE TABLE offsets (projection VARCHAR(100) PRIMARY KEY, seq BIGINT NOT NULL)");
            }
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            try (PreparedStatement upsert = c.prepareStatement(
                    "MERGE INTO counts t USING (VALUES (CAST(? AS VARCHAR), CAST(? AS BIGINT))) v(e, a) ON t.entity = v.e "
                            + "WHEN MATCHED THEN UPDATE SET n = t.n + 1, s = t.s + v.a "
                            + "WHEN NOT MATCHED THEN INSERT (entity, n, s) VALUES (v.e, 1, v.a)");
                 PreparedStatement offset = c.prepareStatement("MERGE INTO offsets KEY (projection) VALUES ('m', ?)")) {
                long after = -1;
                while (after < last) {
                    List<StoredEvent> page = store.query(Region.all().withKind(DEPOSIT), after, 1000);
                    if (page.isEmpty()) {
                        break;
                    }
                    for (StoredEvent e : page) {
                        upsert.setString(1, e.coordinate().entity());
                        upsert.setLong(2, cents(e));
                        upsert.addBatch();
                        after = e.globalSequence();
                    }
                    upsert.executeBatch();
                    offset.setLong(1, after);
                    offset.executeUpdate();
                    c.commit();
                }
            }
            return (last + 1) / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
