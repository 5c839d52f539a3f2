package io.batpak.persistence;

import io.batpak.actors.BatpakStore;
import io.batpak.actors.BatpakStores;
import io.batpak.core.EventKind;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.InvalidConfigException;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.StoreException;
import io.batpak.persistence.internal.JournalIndex;
import io.batpak.persistence.internal.PekkoNames;
import io.batpak.persistence.internal.PersistentEventCodec;
import io.batpak.persistence.internal.SnapshotDatabase;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * The store of an ActorSystem's Pekko Persistence plugins: one {@link BatpakStore} in
 * {@code batpak.persistence.dir}, shared by the journal ({@code batpak.persistence.journal}), the snapshot store
 * ({@code batpak.persistence.snapshot}) and the read journal ({@code batpak.persistence.query}). Created (the
 * store opened and recovered) when the first plugin starts or on the first {@link #get}; closed in the system's
 * CoordinatedShutdown, after the plugins stopped.
 *
 * <p>The store is the application's to read, stream and verify with the batpak API while the plugins run:
 * persistence id {@code pid} is entity {@link #entityOf(String)}, its events are of kind
 * {@link #EVENT_KIND}; {@link #persistentRepr} decodes one. Appending to those entities other than through Pekko is not supported.
 * Thread-safe.
 */
public final class BatpakPersistence implements Extension {
    /** The kind of every event the journal writes (payload layout in docs/FORMAT.md, "Pekko Persistence"). */
    public static final EventKind EVENT_KIND = PekkoNames.EVENT_KIND;
    /** The kind of a deletion mark, written by {@code deleteMessagesTo} in the persistence id's own stream. */
    public static final EventKind DELETION_KIND = PekkoNames.DELETION_KIND;

    private static final Id ID = new Id();

    /**
     * A compaction rule that removes the journal events hidden by {@code deleteMessagesTo}: every event of kind
     * {@link #EVENT_KIND} whose Pekko sequence number is at or below its persistence id's deletion mark, as the marks
     * stand when this is called. Deletion marks themselves are kept (they hold each id's highest sequence number,
     * which Pekko must never see go down), so are snapshots. Use it as
     * {@code store.compact(CompactionPlan.ERASE_ONLY.withRemoveIf(BatpakPersistence.deletedMessages(store)))}; it
     * reads the deletion marks once, on the calling thread.
     *
     * <p>Other rules (maximum age, maximum events per entity) also apply to persistence ids, and a rule that removes
     * a persistence id's newest event loses its highest sequence number: combine them with care.
     */
    public static java.util.function.Predicate<StoredEvent> deletedMessages(io.batpak.core.StoreReader store) {
        InvalidInputException.requireArgument(store, "store");
        JournalIndex marks = new JournalIndex(store);
        return e -> e.kind().equals(PekkoNames.EVENT_KIND)
                && PersistentEventCodec.sequenceNr(e) <= marks.deletedTo(e.coordinate().entity());
    }

    /** The one store of {@code batpak.persistence.dir}, or null when {@link #stores} places each entity. */
    private final BatpakStore store;
    private final JournalStores stores;
    private final PersistenceSettings settings;
    private final PersistentEventCodec codec;
    /** The deletion marks of each store, read from it on first use. */
    private final java.util.concurrent.ConcurrentHashMap<BatpakStore, JournalIndex> indexes =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final SnapshotDatabase snapshots;

    private static final class Id extends AbstractExtensionId<BatpakPersistence> {
        @Override
        public BatpakPersistence createExtension(ExtendedActorSystem system) {
            return new BatpakPersistence(system);
        }
    }

    private BatpakPersistence(ExtendedActorSystem system) {
        PersistenceSettings configured = PersistenceSettings.fromConfig(system.settings().config());
        StoreConfig.Builder builder = BatpakStores.get(Adapter.toTyped(system)).configBuilder(configured.dir());
        Optional<BatpakPersistenceSetup> setup = system.settings().setup().get(BatpakPersistenceSetup.class);
        if (setup.isPresent()) {
            builder = setup.get().storeConfig().apply(builder);
        }
        StoreConfig config = builder.build();
        // The directory the store is really opened in (a setup may have moved it) holds the default snapshots.
        this.settings = config.dataDir().equals(configured.dir()) ? configured : configured.withDir(config.dataDir());
        String storesClass = system.settings().config().getString("batpak.persistence.journal-stores");
        if (storesClass.isEmpty()) {
            this.stores = null;
            this.store = BatpakStores.get(Adapter.toTyped(system)).open(config);
        } else {
            this.stores = createStores(storesClass, system);
            this.store = null;
        }
        try {
            this.codec = new PersistentEventCodec(SerializationExtension.get(system));
            if (store != null) {
                indexes.put(store, new JournalIndex(store));
            }
            this.snapshots = new SnapshotDatabase(settings.snapshotDir(), settings.snapshotInitialMapSize(),
                    settings.snapshotMaxReaders(), config.ioFaultHook());
        } catch (RuntimeException e) {
            if (store != null) {
                store.close();
            }
            throw e;
        }
        // The store closes itself in the same phase; the snapshot database closes after every plugin stopped.
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
                "batpak-persistence-snapshots-close", () -> {
                    snapshots.close();
                    return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
                });
    }

    private static JournalStores createStores(String className, ExtendedActorSystem system) {
        Class<?> c;
        try {
            c = Class.forName(className, true, system.dynamicAccess().classLoader());
        } catch (ClassNotFoundException e) {
            throw new InvalidConfigException("batpak.persistence.journal-stores", "no class " + className, e);
        }
        if (!JournalStores.class.isAssignableFrom(c)) {
            throw new InvalidConfigException("batpak.persistence.journal-stores", className + " does not implement "
                    + JournalStores.class.getName());
        }
        try {
            return (JournalStores) c.getConstructor(org.apache.pekko.actor.typed.ActorSystem.class)
                    .newInstance(Adapter.toTyped(system));
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new StoreException("creating " + className + " failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new InvalidConfigException("batpak.persistence.journal-stores", className
                    + " has no public constructor taking an ActorSystem<?>", e);
        }
    }

    /** The extension of {@code system} (classic or typed), created on first use. */
    public static BatpakPersistence get(ClassicActorSystemProvider system) {
        InvalidInputException.requireArgument(system, "system");
        return ID.get(system);
    }

    /**
     * The store the plugins write to and read from.
     *
     * @throws StoreException when {@code batpak.persistence.journal-stores} places each entity in its own store
     *         (use {@link #storeFor})
     */
    public BatpakStore store() {
        if (store == null) {
            throw new StoreException("batpak.persistence.journal-stores places each persistence id in its own store"
                    + " (" + stores.getClass().getName() + "): use storeFor(entity)");
        }
        return store;
    }

    /**
     * The store holding {@code entity}'s events: the one store, or the one {@code batpak.persistence.journal-stores}
     * gives.
     *
     * @throws StoreException when the configured {@link JournalStores} cannot give it on this node
     */
    public BatpakStore storeFor(String entity) {
        return store != null ? store : stores.storeFor(entity);
    }

    /** The plugins' settings. */
    public PersistenceSettings settings() {
        return settings;
    }

    /** The batpak entity that holds {@code persistenceId}'s events. */
    public static String entityOf(String persistenceId) {
        return PekkoNames.entity(persistenceId);
    }

    /** The persistence id of a batpak entity written by the journal. */
    public static String persistenceIdOf(String entity) {
        return PekkoNames.persistenceId(entity);
    }

    /** The batpak tag that holds events Pekko tagged {@code tag}. */
    public static String tagOf(String tag) {
        return PekkoNames.tag(tag);
    }

    /**
     * Decodes a journal event read with the batpak API (a cursor, a query) into the {@code PersistentRepr} the
     * persistent actor wrote: its event deserialized, sequence number, writer uuid, manifest, timestamp and
     * metadata.
     *
     * @throws InvalidInputException when {@code stored} is not of {@link #EVENT_KIND}
     * @throws CorruptJournalEventException when its payload is not a readable journal event
     */
    public PersistentRepr persistentRepr(StoredEvent stored) {
        InvalidInputException.requireArgument(stored, "stored");
        if (!stored.kind().equals(EVENT_KIND)) {
            throw new InvalidInputException("stored", "event " + stored.eventId() + " is of kind " + stored.kind()
                    + ", not a journal event (" + EVENT_KIND + ")");
        }
        return codec.decode(stored);
    }

    PersistentEventCodec codec() {
        return codec;
    }

    /** The one store's journal index (the read journal works on the one store). */
    JournalIndex index() {
        return indexes.get(store());
    }

    JournalIndex indexFor(BatpakStore s) {
        return indexes.computeIfAbsent(s, JournalIndex::new);
    }

    SnapshotDatabase snapshots() {
        return snapshots;
    }
}
