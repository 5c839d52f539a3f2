package io.batpak.projections;

import io.batpak.actors.BatpakStore;
import io.batpak.core.Hash;
import io.batpak.core.PayloadCodec;
import io.batpak.core.Region;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.InvalidInputException;
import io.batpak.projections.internal.ReadModelRunner;
import io.batpak.streams.BatpakStreams;
import io.batpak.streams.CursorControl;
import io.batpak.streams.CursorSettings;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.stream.javadsl.Source;
import org.lmdbjava.Dbi;

/**
 * Entity projections and exactly-once read models over one {@link BatpakStore}, kept in LMDB under
 * {@code <store dir>/projections} (or {@link ProjectionSettings#dir()}): {@code cache/} holds projected states
 * (commits not forced: it is a cache, rebuilt from the store when lost), {@code models/} the read models'
 * databases and offsets (every commit forced). This object owns both environments; open one per store
 * ({@link #open}), close it before the store (it closes itself in the store's ActorSystem's CoordinatedShutdown,
 * in the service-stop phase, before the store closes).
 *
 * <h2>Entity projections</h2>
 * {@link #project} folds an entity's events into a state with a {@link Projection}, starting from the cached
 * state and applying only the events after it, and caches the result. {@link #watch} streams the state after each
 * relevant event.
 *
 * <h2>Read models</h2>
 * {@link #start} runs a {@link ReadModel}: a cursor over its region, batches of events, and for each batch one
 * LMDB write transaction with the handler's writes and the model's new offset, so each event's effect is committed
 * exactly once, also across a crash. A restart resumes from the offset stored with the data. {@link #query} reads
 * the model's databases from any thread, concurrently with the runner.
 *
 * <p>All methods are thread-safe. {@code project} and {@code query} run on the calling thread and do blocking I/O
 * (call them where blocking is allowed; {@link #projectAsync} runs on Pekko's blocking dispatcher).
 */
public final class Projections implements AutoCloseable {
    private static final int CACHE_VERSION = 1;
    private static final int CACHE_HEADER = 1 + 8 + 8 + 8 + 8;
    private static final String CACHE_DB = "states";
    private static final String OFFSETS_DB = "%offsets";
    private static final int PAGE = 1024;
    /** Events counted at most for a read model's lag. */
    static final int LAG_CAP = 100_000;

    private final BatpakStore store;
    private final ProjectionSettings settings;
    private final LmdbEnvironment cache;
    private final LmdbEnvironment models;
    private final Dbi<byte[]> states;
    private final Dbi<byte[]> offsets;
    private final PayloadCodec codec;
    private final Executor blocking;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, ReadModelRunner> running = new ConcurrentHashMap<>();
    private volatile boolean closed;
    /** This object's close in the system's CoordinatedShutdown; cancelled when closed first. */
    private final org.apache.pekko.actor.Cancellable shutdownTask;

    private Projections(BatpakStore store, ProjectionSettings settings) {
        this.store = store;
        this.settings = settings;
        Path dir = settings.dir().orElse(store.config().dataDir().resolve("projections"));
        this.codec = store.config().codec();
        this.cache = new LmdbEnvironment(dir.resolve("cache"), settings.initialMapSize(), settings.maxReaders(), false,
                "batpak-projections-cache-writer");
        try {
            this.models = new LmdbEnvironment(dir.resolve("models"), settings.initialMapSize(), settings.maxReaders(),
                    true, "batpak-projections-models-writer");
        } catch (RuntimeException e) {
            cache.close();
            throw e;
        }
        this.states = cache.db(CACHE_DB);
        this.offsets = models.db(OFFSETS_DB);
        this.blocking = store.system().dispatchers().lookup(DispatcherSelector.blocking());
        this.shutdownTask = CoordinatedShutdown.get(store.system()).addCancellableTask(
                CoordinatedShutdown.PhaseServiceStop(), "batpak-projections-close-" + System.identityHashCode(this),
                () -> {
                    close();
                    return CompletableFuture.completedFuture(Done.getInstance());
                });
    }

    /** Opens the projections of {@code store} with the settings of the store's ActorSystem. */
    public static Projections open(BatpakStore store) {
        InvalidInputException.requireArgument(store, "store");
        return open(store, ProjectionSettings.create(store.system()));
    }

    /** Opens the projections of {@code store} with {@code settings}. */
    public static Projections open(BatpakStore store, ProjectionSettings settings) {
        InvalidInputException.requireArgument(store, "store");
        InvalidInputException.requireArgument(settings, "settings");
        return new Projections(store, settings);
    }

    /**
     * The committed offset of every read model kept under {@code projectionsDir} (the directory of
     * {@code batpak.projections.dir}, by default {@code <store dir>/projections}), by name, without starting anything:
     * for inspection, also while the application runs (LMDB allows readers in other processes). Empty when no read
     * model was ever run there.
     *
     * @throws InvalidInputException when {@code projectionsDir} is null
     * @throws ProjectionStoreException when the environment exists but cannot be read
     */
    public static java.util.SortedMap<String, Long> readModelOffsets(Path projectionsDir) {
        InvalidInputException.requireArgument(projectionsDir, "projectionsDir");
        Path dir = projectionsDir.resolve("models");
        java.util.SortedMap<String, Long> out = new java.util.TreeMap<>();
        if (!java.nio.file.Files.isRegularFile(dir.resolve("data.mdb"))) {
            return out;
        }
        try (org.lmdbjava.Env<byte[]> env = org.lmdbjava.Env.create(org.lmdbjava.ByteArrayProxy.PROXY_BA)
                .setMaxDbs(LmdbEnvironment.MAX_DBS).open(dir.toFile(), org.lmdbjava.EnvFlags.MDB_RDONLY_ENV,
                        org.lmdbjava.EnvFlags.MDB_NOTLS)) {
            if (!env.getDbiNames().stream().anyMatch(n -> java.util.Arrays.equals(n,
                    OFFSETS_DB.getBytes(java.nio.charset.StandardCharsets.UTF_8)))) {
                return out;
            }
            Dbi<byte[]> offsets = env.openDbi(OFFSETS_DB, org.lmdbjava.DbiFlags.MDB_UNSIGNEDKEY);
            try (org.lmdbjava.Txn<byte[]> txn = env.txnRead();
                 org.lmdbjava.CursorIterable<byte[]> all = offsets.iterate(txn)) {
                for (org.lmdbjava.CursorIterable.KeyVal<byte[]> kv : all) {
                    out.put(new String(kv.key(), java.nio.charset.StandardCharsets.UTF_8), Keys.toLong(kv.val()));
                }
            }
        } catch (org.lmdbjava.LmdbException e) {
            throw new ProjectionStoreException(dir, "cannot read the read-model offsets: " + e, e);
        }
        return out;
    }

    /** The store. */
    public BatpakStore store() {
        return store;
    }

    /** The settings it was opened with. */
    public ProjectionSettings settings() {
        return settings;
    }

    // ------------------------------------------------------------------ entity projections

    /**
     * The state of {@code entity} under {@code projection}, as fresh as {@code freshness} asks.
     *
     * @throws InvalidInputException when an argument is null or {@code entity} is not a valid entity name
     * @throws ProjectionStoreException when the cache cannot be read
     */
    public <S> S project(String entity, Projection<S> projection, Freshness freshness) {
        return projected(entity, projection, freshness).state();
    }

    /** Like {@link #project}, run on Pekko's blocking dispatcher. */
    public <S> CompletionStage<S> projectAsync(String entity, Projection<S> projection, Freshness freshness) {
        return CompletableFuture.supplyAsync(() -> project(entity, projection, freshness), blocking);
    }

    /**
     * The state with its position. With {@link Freshness#consistent()} it accounts for every event of the entity
     * visible when the call started; the events after the cached position are read and folded, and the cache is
     * updated in the background (never moved backwards).
     */
    public <S> Projected<S> projected(String entity, Projection<S> projection, Freshness freshness) {
        InvalidInputException.requireArgument(entity, "entity");
        InvalidInputException.requireArgument(projection, "projection");
        InvalidInputException.requireArgument(freshness, "freshness");
        io.batpak.core.Coordinate.validate("entity", entity);
        byte[] key = cacheKey(projection, entity);
        long fingerprint = fingerprint(projection);
        Cached<S> cached = readCache(key, fingerprint, projection);
        long now = clock.millis();
        if (cached != null && !freshness.isConsistent() && now - cached.computedAt <= freshness.bound().toMillis()) {
            return new Projected<>(cached.state, cached.global, cached.entitySeq, true);
        }
        long head = store.lastEntitySequence(entity);
        if (cached != null && cached.entitySeq > head) {
            cached = null;        // the cache is ahead of the store (a restored store): not trusted
        }
        if (cached != null && cached.entitySeq == head) {
            if (!freshness.isConsistent()) {
                writeCache(key, fingerprint, cached.global, cached.entitySeq, now, cached.state, true);
            }
            return new Projected<>(cached.state, cached.global, cached.entitySeq, true);
        }
        S state = cached == null ? projection.initialState() : cached.state;
        long entitySeq = cached == null ? -1 : cached.entitySeq;
        long global = cached == null ? -1 : cached.global;
        while (entitySeq < head) {
            List<StoredEvent> page = store.readEntity(entity, entitySeq + 1, (int) Math.min(PAGE, head - entitySeq));
            if (page.isEmpty()) {
                break;
            }
            for (StoredEvent e : page) {
                if (projection.reads(e)) {
                    state = projection.apply(state, e);
                }
                entitySeq = e.entitySequence();
                global = e.globalSequence();
            }
        }
        if (entitySeq >= 0) {
            writeCache(key, fingerprint, global, entitySeq, now, state, false);
        }
        return new Projected<>(state, global, entitySeq, false);
    }

    /**
     * The state of {@code entity} now, then after each event it reads as it is appended: history is never skipped
     * (a cursor from the projected position), and a consumer slower than the appends gets the newest state
     * (conflated). Materializes a cursor; completes when the store closes or on {@link CursorControl#shutdown()}.
     * The current state is computed when this is called, on the calling thread.
     */
    public <S> Source<S, CursorControl> watch(String entity, Projection<S> projection) {
        Projected<S> start = projected(entity, projection, Freshness.consistent());
        CursorSettings cursor = CursorSettings.create(store.system()).afterSequence(start.lastGlobalSequence());
        return BatpakStreams.cursor(store, Region.entity(entity), cursor)
                .filter(e -> e.coordinate().entity().equals(entity) && projection.reads(e))
                .scan(start.state(), projection::apply)
                .conflate((older, newer) -> newer);
    }

    private record Cached<S>(S state, long global, long entitySeq, long computedAt) {
    }

    private <S> Cached<S> readCache(byte[] key, long fingerprint, Projection<S> projection) {
        byte[] v = cache.read(txn -> states.get(txn, key));
        if (v == null || v.length < CACHE_HEADER || v[0] != CACHE_VERSION) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(v);
        if (b.getLong(1) != fingerprint) {
            return null;
        }
        S state = codec.decode(Arrays.copyOfRange(v, CACHE_HEADER, v.length), projection.stateType());
        return new Cached<>(state, b.getLong(9), b.getLong(17), b.getLong(25));
    }

    /**
     * Cache entry, big-endian: u8 version (1), i64 fingerprint (schema version, kinds, state class), i64 global
     * sequence, i64 entity sequence, i64 computed-at (ms since the epoch), the state as CBOR.
     */
    private void writeCache(byte[] key, long fingerprint, long global, long entitySeq, long computedAt, Object state,
                            boolean sameSequenceAllowed) {
        byte[] body = codec.encode(state);
        byte[] v = ByteBuffer.allocate(CACHE_HEADER + body.length).put((byte) CACHE_VERSION).putLong(fingerprint)
                .putLong(global).putLong(entitySeq).putLong(computedAt).put(body).array();
        cache.write(txn -> {
            byte[] old = states.get(txn, key);
            if (old != null && old.length >= CACHE_HEADER && old[0] == CACHE_VERSION
                    && ByteBuffer.wrap(old).getLong(1) == fingerprint) {
                long oldSeq = ByteBuffer.wrap(old).getLong(17);
                if (oldSeq > entitySeq || (oldSeq == entitySeq && !sameSequenceAllowed)) {
                    return null;  // never move the cache backwards
                }
            }
            states.put(txn, key, v);
            return null;
        });
    }

    private static byte[] cacheKey(Projection<?> projection, String entity) {
        byte[] name = projection.name().getBytes(StandardCharsets.UTF_8);
        byte[] e = entity.getBytes(StandardCharsets.UTF_8);
        byte[] both = new byte[name.length + 1 + e.length];
        System.arraycopy(name, 0, both, 0, name.length);
        System.arraycopy(e, 0, both, name.length + 1, e.length);
        return Hash.blake3(both).toByteArray();
    }

    private static long fingerprint(Projection<?> projection) {
        String id = "v" + projection.schemaVersion() + "|" + Projection.kindsIdentity(projection.kinds()) + "|"
                + projection.stateType().getName();
        return ByteBuffer.wrap(Hash.blake3(id.getBytes(StandardCharsets.UTF_8)).toByteArray()).getLong();
    }

    // ------------------------------------------------------------------ read models

    /** Starts {@code model} with the settings of the store's ActorSystem. */
    public ReadModelControl start(ReadModel model) {
        return start(model, ReadModelSettings.create(store.system()));
    }

    /**
     * Starts {@code model}: resumes after its committed offset (from the start the first time).
     *
     * @throws InvalidInputException when a model of this name is already running here
     */
    public ReadModelControl start(ReadModel model, ReadModelSettings settings) {
        InvalidInputException.requireArgument(model, "model");
        InvalidInputException.requireArgument(settings, "settings");
        ensureOpen();
        Map<String, Dbi<byte[]>> dbs = databases(model);
        ReadModelRunner[] self = new ReadModelRunner[1];
        ReadModelRunner runner = new ReadModelRunner(store, models, offsets, dbs, model, settings, LAG_CAP,
                () -> running.remove(model.name(), self[0]));
        self[0] = runner;
        if (running.putIfAbsent(model.name(), runner) != null) {
            throw new InvalidInputException("model", "read model " + model.name() + " is already running");
        }
        runner.run(offset(model.name()));
        return runner;
    }

    /** The committed offset of the read model named {@code name}: -1 before its first batch. */
    public long offset(String name) {
        ReadModel.checkName("name", name);
        byte[] v = models.read(txn -> offsets.get(txn, offsetKey(name)));
        return v == null ? -1 : io.batpak.projections.Keys.toLong(v);
    }

    /**
     * Runs {@code query} in a read transaction over {@code model}'s databases, on the calling thread: a consistent
     * snapshot of everything the model committed before it began, concurrent with the runner.
     */
    public <T> T query(ReadModel model, Function<ReadView, T> query) {
        InvalidInputException.requireArgument(model, "model");
        InvalidInputException.requireArgument(query, "query");
        Map<String, Dbi<byte[]>> dbs = databases(model);
        return models.read(txn -> query.apply(new io.batpak.projections.internal.TxnView(model.name(), txn, dbs)));
    }

    /**
     * Empties {@code model}'s databases and resets its offset, in one transaction, so the next {@link #start}
     * replays its region from the beginning.
     *
     * @throws InvalidInputException when the model is running here
     */
    public CompletionStage<Done> rebuild(ReadModel model) {
        InvalidInputException.requireArgument(model, "model");
        if (running.containsKey(model.name())) {
            throw new InvalidInputException("model", "read model " + model.name() + " is running: stop it first");
        }
        Map<String, Dbi<byte[]>> dbs = databases(model);
        return models.write(txn -> {
            for (Dbi<byte[]> db : dbs.values()) {
                db.drop(txn);
            }
            offsets.delete(txn, offsetKey(model.name()));
            return Done.getInstance();
        });
    }

    /** How many times an LMDB map was grown (both environments). */
    public long mapGrowths() {
        return cache.growths() + models.growths();
    }

    static byte[] offsetKey(String model) {
        return model.getBytes(StandardCharsets.UTF_8);
    }

    private Map<String, Dbi<byte[]>> databases(ReadModel model) {
        Map<String, Dbi<byte[]>> dbs = new HashMap<>();
        for (String db : model.databases()) {
            dbs.put(db, models.db(model.name() + "/" + db));
        }
        return dbs;
    }

    private void ensureOpen() {
        if (closed) {
            throw new ProjectionStoreException(models.directory(), "closed", null);
        }
    }

    /** Stops every running read model (after its batch in flight), then closes both environments. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        shutdownTask.cancel();
        for (ReadModelRunner r : List.copyOf(running.values())) {
            try {
                r.stop().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                // stopped with an error, or not within the bound: the environment closes anyway
            }
        }
        cache.close();
        models.close();
    }
}
