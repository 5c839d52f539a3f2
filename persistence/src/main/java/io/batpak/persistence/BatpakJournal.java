package io.batpak.persistence;

import com.typesafe.config.Config;
import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.error.InvalidAppendException;
import io.batpak.core.error.PayloadTooLargeException;
import io.batpak.persistence.internal.JournalIndex;
import io.batpak.persistence.internal.PekkoNames;
import io.batpak.persistence.internal.PersistentEventCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import org.apache.pekko.persistence.typed.PersistenceId;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * The Pekko Persistence journal plugin ({@code batpak.persistence.journal}): a persistence id's events are the
 * events of one batpak entity, in the store shared through {@link BatpakPersistence}.
 *
 * <h2>Writes</h2>
 * The {@code AtomicWrite}s of one {@code WriteMessages} are stored as one atomic batch: all of them or none,
 * across a crash too, with gap-free global sequences in order, forced to disk (under the store's sync mode)
 * before the write is acknowledged. (Should they hold more than {@code batpak.max-batch-items} events, they are
 * stored as several batches one after another, each AtomicWrite whole inside one.) An {@code AtomicWrite} that cannot be stored whatever happens (its event or
 * metadata does not serialize, a name or tag breaks a batpak rule, it is too large) is rejected and stores
 * nothing; the others are stored. A storage failure fails the whole write. Pekko's {@code sequenceNr} is stored
 * as given (it may have gaps, say after a rejection); the entity's own batpak sequence stays gap-free. A
 * {@code Tagged} payload is unwrapped and its tags become batpak tags. Events are serialized with Pekko
 * serialization; the serializer id, both manifests, the writer uuid, the timestamp and the metadata are kept.
 *
 * <h2>Deletes and recovery</h2>
 * {@code deleteMessagesTo} appends a durable deletion mark to the persistence id's stream: the events up to it
 * are hidden from replay and queries at once; the highest sequence number is kept. Replay reads the entity from
 * the index {@code replay-batch-size} events at a time on the replay dispatcher, from the first requested
 * sequence number (found without a scan), honouring the upper bound and {@code max}. The highest sequence number
 * of a persistence id waits for that id's writes still in flight.
 *
 * <p>Pekko guarantees one writer per persistence id; the journal relies on it, as every Pekko journal does.
 */
public final class BatpakJournal extends AsyncWriteJournal {
    private final BatpakPersistence persistence;
    private final PersistentEventCodec codec;
    private final Executor replay;
    private final int replayBatch;
    /** How often a delete is tried when a write of the same id lands between reading the head and the mark. */
    private static final int DELETE_ATTEMPTS = 3;
    /** Per persistence id, the last write not yet acknowledged. */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> writesInProgress = new ConcurrentHashMap<>();

    /** Created by Pekko Persistence with the plugin's configuration. */
    public BatpakJournal(Config config, String configPath) {
        this.persistence = BatpakPersistence.get(context().system());
        this.codec = persistence.codec();
        this.replay = context().system().dispatchers().lookup(config.getString("replay-dispatcher"));
        this.replayBatch = persistence.settings().replayBatchSize();
    }

    @Override
    public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
        List<Optional<Exception>> results = new ArrayList<>();
        // The stored AtomicWrites, each a run of requests; runs are packed into batches, each for one store and of at
        // most that store's max-batch-items.
        List<List<AppendRequest>> batches = new ArrayList<>();
        List<BatpakStore> batchStores = new ArrayList<>();
        List<String> persistenceIds = new ArrayList<>();
        boolean rejected = false;
        for (AtomicWrite write : messages) {
            BatpakStore store;
            try {
                store = persistence.storeFor(PekkoNames.entity(write.persistenceId()));
            } catch (RuntimeException e) {
                // The entity cannot be written on this node (its store is elsewhere): the whole write fails.
                return FutureConverters.asScala(CompletableFuture.failedFuture(e));
            }
            List<AppendRequest> run = new ArrayList<>();
            Optional<Exception> result = encode(store, write, run);
            results.add(result);
            rejected |= result.isPresent();
            if (result.isPresent()) {
                continue;
            }
            int last = batches.size() - 1;
            if (last < 0 || batchStores.get(last) != store
                    || batches.get(last).size() + run.size() > store.config().maxBatchItems()) {
                batches.add(new ArrayList<>());
                batchStores.add(store);
            }
            batches.get(batches.size() - 1).addAll(run);
            if (!persistenceIds.contains(write.persistenceId())) {
                persistenceIds.add(write.persistenceId());
            }
        }
        if (batches.isEmpty()) {
            return Future.successful(results);
        }
        // One batch (the usual case) is one atomic append; more are appended one after another, in order.
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        for (int b = 0; b < batches.size(); b++) {
            List<AppendRequest> batch = batches.get(b);
            BatpakStore store = batchStores.get(b);
            done = done.thenCompose(v -> (batch.size() == 1 ? store.append(batch.get(0)) : store.appendBatch(batch))
                    .thenApply(r -> (Void) null));
        }
        CompletableFuture<Void> written = done;
        for (String pid : persistenceIds) {
            writesInProgress.put(pid, written);
            written.whenComplete((r, e) -> writesInProgress.remove(pid, written));
        }
        boolean anyRejected = rejected;
        return FutureConverters.asScala(written.thenApply(v -> anyRejected ? results : List.<Optional<Exception>>of()));
    }

    /** Adds the requests of one AtomicWrite, or returns why it is rejected (and adds nothing). */
    private Optional<Exception> encode(BatpakStore store, AtomicWrite write, List<AppendRequest> out) {
        List<PersistentRepr> events = CollectionConverters.asJava(write.payload());
        if (events.size() > store.config().maxBatchItems()) {
            return Optional.of(new InvalidAppendException("an AtomicWrite of " + events.size()
                    + " events exceeds batpak.max-batch-items (" + store.config().maxBatchItems() + ")"));
        }
        List<AppendRequest> encoded = new ArrayList<>(events.size());
        try {
            for (PersistentRepr repr : events) {
                Object payload = repr.payload();
                List<String> tags = List.of();
                if (payload instanceof Tagged tagged) {
                    payload = tagged.payload();
                    tags = new ArrayList<>();
                    for (String tag : CollectionConverters.asJava(tagged.tags())) {
                        tags.add(PekkoNames.tag(tag));
                    }
                }
                byte[] bytes = codec.encode(repr, payload);
                if (bytes.length > store.config().maxPayloadBytes()) {
                    throw new PayloadTooLargeException(bytes.length, store.config().maxPayloadBytes());
                }
                String pid = repr.persistenceId();
                encoded.add(AppendRequest.encoded(PekkoNames.coordinate(pid, PersistenceId.extractEntityType(pid)),
                        PekkoNames.EVENT_KIND, bytes, PersistentEventCodec.VERSION,
                        AppendOptions.builder().tags(tags).build()));
            }
        } catch (Exception e) {
            return Optional.of(e);
        }
        out.addAll(encoded);
        return Optional.empty();
    }

    @Override
    public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
        return FutureConverters.asScala(afterWrites(persistenceId)
                .thenCompose(v -> deleteTo(persistenceId, toSequenceNr, DELETE_ATTEMPTS)));
    }

    /** Appends the deletion mark conditional on the entity's head; a write that slipped in between makes it retry. */
    private CompletionStage<Void> deleteTo(String persistenceId, long toSequenceNr, int attempts) {
        BatpakStore store;
        try {
            store = persistence.storeFor(PekkoNames.entity(persistenceId));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        // A store's index is built on first use (it reads the deletion marks): on the replay dispatcher, not here.
        return CompletableFuture.supplyAsync(() -> persistence.indexFor(store).deletionMark(persistenceId, toSequenceNr),
                        replay)
                .thenCompose(mark -> mark == null ? CompletableFuture.<Void>completedFuture(null)
                        : store.append(mark.request())
                                .thenAccept((AppendReceipt r) -> persistence.indexFor(store)
                                        .markDeleted(mark.entity(), mark.deletedTo()))
                                .exceptionallyCompose(e -> {
                                    Throwable cause = e instanceof java.util.concurrent.CompletionException
                                            && e.getCause() != null ? e.getCause() : e;
                                    return cause instanceof io.batpak.core.error.SequenceMismatchException
                                            && attempts > 1 ? deleteTo(persistenceId, toSequenceNr, attempts - 1)
                                            : CompletableFuture.failedFuture(cause);
                                }));
    }

    @Override
    public Future<Void> doAsyncReplayMessages(String persistenceId, long fromSequenceNr, long toSequenceNr, long max,
                                              Consumer<PersistentRepr> replayCallback) {
        String entity = PekkoNames.entity(persistenceId);
        return FutureConverters.asScala(CompletableFuture.runAsync(() -> index(entity).replay(entity, fromSequenceNr,
                toSequenceNr, max, replayBatch, e -> replayCallback.accept(codec.decode(e))), replay));
    }

    @Override
    public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
        String entity = PekkoNames.entity(persistenceId);
        return FutureConverters.asScala(afterWrites(persistenceId)
                .thenApplyAsync(v -> index(entity).highestSequenceNr(entity), replay));
    }

    /** The journal index of the store holding {@code entity}. */
    private JournalIndex index(String entity) {
        return persistence.indexFor(persistence.storeFor(entity));
    }

    /** Completes once the write of {@code persistenceId} in flight now (if any) is done, however it ended. */
    private CompletionStage<Void> afterWrites(String persistenceId) {
        CompletableFuture<Void> inFlight = writesInProgress.get(persistenceId);
        return inFlight == null ? CompletableFuture.completedFuture(null)
                : inFlight.handle((v, e) -> (Void) null);
    }
}
