package io.batpak.persistence;

import com.typesafe.config.Config;
import io.batpak.persistence.internal.PersistentEventCodec;
import io.batpak.persistence.internal.SnapshotDatabase;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import scala.Option;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * The Pekko Persistence snapshot store plugin ({@code batpak.persistence.snapshot}): snapshots in an LMDB database
 * under the store directory ({@code <batpak.persistence.dir>/snapshots}), shared through
 * {@link BatpakPersistence}.
 *
 * <p>A save is durable (the LMDB transaction is forced) before it is acknowledged; saving the same persistence id
 * and sequence number again replaces the snapshot. Loads select the newest snapshot within every bound of the
 * {@code SnapshotSelectionCriteria} (sequence numbers and timestamps); the metadata (timestamp and the optional
 * user metadata) comes back exactly as saved. Each record carries a CRC32C: a damaged one fails the load with
 * {@link CorruptSnapshotException} and is never served. LMDB failures fail the call with
 * {@link SnapshotStoreException} and change nothing. Work runs on the plugin dispatcher.
 */
public final class BatpakSnapshotStore extends SnapshotStore {
    private final SnapshotDatabase db;
    private final PersistentEventCodec codec;
    private final Serialization serialization;
    private final Executor executor;

    /** Created by Pekko Persistence with the plugin's configuration. */
    public BatpakSnapshotStore(Config config, String configPath) {
        BatpakPersistence persistence = BatpakPersistence.get(context().system());
        this.db = persistence.snapshots();
        this.codec = persistence.codec();
        this.serialization = SerializationExtension.get(context().system());
        this.executor = context().dispatcher();
    }

    @Override
    public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        return run(() -> {
            SnapshotDatabase.Record r = db.newest(persistenceId, criteria.minSequenceNr(), criteria.maxSequenceNr(),
                    timestamps(criteria));
            if (r == null) {
                return Optional.<SelectedSnapshot>empty();
            }
            Object snapshot = serialization.deserialize(r.snapshot(), r.serializerId(), r.manifest()).get();
            SnapshotMetadata metadata = new SnapshotMetadata(persistenceId, r.sequenceNr(), r.timestamp());
            if (r.metadata() != null) {
                metadata = metadata.withMetadata(serialization.deserialize(r.metadata().bytes(),
                        r.metadata().serializerId(), r.metadata().manifest()).get());
            }
            return Optional.of(SelectedSnapshot.create(metadata, snapshot));
        });
    }

    @Override
    public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
        return run(() -> {
            PersistentEventCodec.Serialized s = codec.serialize(snapshot);
            SnapshotDatabase.Metadata meta = null;
            Option<Object> user = metadata.metadata();
            if (user.isDefined()) {
                PersistentEventCodec.Serialized m = codec.serialize(user.get());
                meta = new SnapshotDatabase.Metadata(m.serializerId(), m.manifest(), m.bytes());
            }
            db.save(new SnapshotDatabase.Record(metadata.persistenceId(), metadata.sequenceNr(), metadata.timestamp(),
                    s.serializerId(), s.manifest(), s.bytes(), meta));
            return null;
        });
    }

    @Override
    public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
        return run(() -> {
            db.delete(metadata.persistenceId(), metadata.sequenceNr(), metadata.sequenceNr(),
                    r -> metadata.timestamp() == 0 || r.timestamp() == metadata.timestamp());
            return null;
        });
    }

    @Override
    public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        return run(() -> {
            db.delete(persistenceId, criteria.minSequenceNr(), criteria.maxSequenceNr(), timestamps(criteria));
            return null;
        });
    }

    private static Predicate<SnapshotDatabase.Record> timestamps(SnapshotSelectionCriteria criteria) {
        return r -> r.timestamp() >= criteria.minTimestamp() && r.timestamp() <= criteria.maxTimestamp();
    }

    private interface Work<T> {
        T run() throws Exception;
    }

    private <T> Future<T> run(Work<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                result.complete(work.run());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return FutureConverters.asScala(result);
    }
}
