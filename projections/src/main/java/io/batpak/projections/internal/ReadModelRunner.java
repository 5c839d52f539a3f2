package io.batpak.projections.internal;

import io.batpak.projections.LmdbEnvironment;

import io.batpak.actors.BatpakStore;
import io.batpak.core.StoredEvent;
import io.batpak.projections.Keys;
import io.batpak.projections.ReadModel;
import io.batpak.projections.ReadModelControl;
import io.batpak.projections.ReadModelException;
import io.batpak.projections.ReadModelSettings;
import io.batpak.projections.ReadModelStatus;
import io.batpak.streams.BatpakStreams;
import io.batpak.streams.CursorSettings;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;

/**
 * One running read model: cursor after the committed offset, {@code groupedWithin(batch-size, batch-interval)},
 * one LMDB write transaction per batch (the handler's writes, then the offset), one batch in flight. Thread-safe.
 */
public final class ReadModelRunner implements ReadModelControl {
    private final BatpakStore store;
    private final LmdbEnvironment env;
    private final Dbi<byte[]> offsets;
    private final Map<String, Dbi<byte[]>> dbs;
    private final ReadModel model;
    private final ReadModelSettings settings;
    private final int lagCap;
    private final byte[] offsetKey;
    private final CompletableFuture<Done> done = new CompletableFuture<>();
    private final ConcurrentSkipListMap<Long, CompletableFuture<Done>> waiters = new ConcurrentSkipListMap<>();
    private volatile long offset;
    private volatile Throwable lastError;
    private volatile UniqueKillSwitch killSwitch;
    private final Runnable onStopped;

    /** {@code onStopped} runs when the stream ended, before {@link #done()} completes. */
    public ReadModelRunner(BatpakStore store, LmdbEnvironment env, Dbi<byte[]> offsets, Map<String, Dbi<byte[]>> dbs,
                           ReadModel model, ReadModelSettings settings, int lagCap, Runnable onStopped) {
        this.onStopped = onStopped;
        this.store = store;
        this.env = env;
        this.offsets = offsets;
        this.dbs = dbs;
        this.model = model;
        this.settings = settings;
        this.lagCap = lagCap;
        this.offsetKey = model.name().getBytes(StandardCharsets.UTF_8);
    }

    /** Starts the stream after {@code from}. */
    public void run(long from) {
        this.offset = from;
        CursorSettings cursor = CursorSettings.create(store.system()).withBatchSize(settings.readBatchSize())
                .afterSequence(from);
        Pair<UniqueKillSwitch, CompletionStage<Done>> m = BatpakStreams.cursor(store, model.region(), cursor)
                .viaMat(KillSwitches.single(), Keep.right())
                .groupedWithin(settings.batchSize(), settings.batchInterval())
                .mapAsync(1, batch -> env.write(txn -> commit(txn, batch)))
                .toMat(Sink.foreach(this::committed), Keep.both())
                .run(store.system());
        killSwitch = m.first();
        m.second().whenComplete((d, e) -> {
            onStopped.run();
            if (e != null) {
                Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e;
                lastError = cause;
                done.completeExceptionally(cause);
            } else {
                done.complete(Done.getInstance());
            }
            for (CompletableFuture<Done> w : waiters.values()) {
                w.completeExceptionally(new IllegalStateException("read model " + model.name()
                        + " stopped at offset " + offset + " before reaching the awaited offset", lastError));
            }
        });
    }

    private Long commit(org.lmdbjava.Txn<byte[]> txn, List<StoredEvent> batch) {
        TxnView view = new TxnView(model.name(), txn, dbs);
        for (StoredEvent e : batch) {
            try {
                model.handler().handle(e, view);
            } catch (Env.MapFullException | Dbi.MapResizedException full) {
                throw full;
            } catch (Exception | LinkageError | AssertionError failure) {
                view.rethrowMapFull();
                throw new ReadModelException(model.name(), e.globalSequence(), e.eventId(), failure);
            }
            view.rethrowMapFull();
        }
        view.flush();
        long last = batch.get(batch.size() - 1).globalSequence();
        offsets.put(txn, offsetKey, Keys.ofLong(last));
        return last;
    }

    private void committed(Long last) {
        offset = last;
        var reached = waiters.headMap(last, true);
        for (CompletableFuture<Done> w : reached.values()) {
            w.complete(Done.getInstance());
        }
        reached.clear();
    }

    @Override
    public ReadModel model() {
        return model;
    }

    @Override
    public ReadModelStatus status() {
        long at = offset;
        long lag = store.queryIndex(model.region(), at, lagCap).size();
        return new ReadModelStatus(model.name(), at, lag, lagCap, !done.isDone(), Optional.ofNullable(lastError));
    }

    @Override
    public CompletionStage<Done> stop() {
        UniqueKillSwitch k = killSwitch;
        if (k != null) {
            k.shutdown();
        }
        return done.handle((d, e) -> Done.getInstance());
    }

    @Override
    public CompletionStage<Done> done() {
        return done;
    }

    @Override
    public CompletionStage<Done> awaitOffset(long globalSequence) {
        if (offset >= globalSequence) {
            return CompletableFuture.completedFuture(Done.getInstance());
        }
        CompletableFuture<Done> w = waiters.computeIfAbsent(globalSequence, g -> new CompletableFuture<>());
        if (offset >= globalSequence) {
            waiters.remove(globalSequence);
            w.complete(Done.getInstance());
        } else if (done.isDone()) {
            waiters.remove(globalSequence);
            w.completeExceptionally(new IllegalStateException("read model " + model.name() + " is stopped at offset "
                    + offset, lastError));
        }
        return w;
    }

    @Override
    public String toString() {
        return "ReadModelControl[" + model.name() + " at " + offset + "]";
    }
}
