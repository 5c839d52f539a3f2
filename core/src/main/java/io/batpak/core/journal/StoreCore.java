package io.batpak.core.journal;

import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.InvalidAppendException;
import io.batpak.core.PayloadCodec;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoreException;
import io.batpak.core.StoredEvent;
import io.batpak.core.index.EntityState;
import io.batpak.core.index.EventIndex;
import io.batpak.core.index.IdempotencyIndex;
import io.batpak.core.internal.DirectoryLock;
import io.batpak.core.internal.MonotonicClock;
import io.batpak.core.recovery.StoreRecovery;
import io.batpak.core.segment.SegmentSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The open store without its actors: directory lock, recovered index, idempotency keys, segment files and the
 * event clock, with the synchronous read API. Reads are thread-safe, lock-free and never wait for the writer;
 * they see only events that are visible (durable under the sync mode in force).
 */
public final class StoreCore implements AutoCloseable {
    private final StoreConfig config;
    private final DirectoryLock lock;
    private final StoreRecovery.Recovered recovered;
    private final MonotonicClock clock;
    private final PayloadCodec codec;

    private StoreCore(StoreConfig config, DirectoryLock lock, StoreRecovery.Recovered recovered) {
        this.config = config;
        this.codec = config.codec().withEventTypes(config.eventTypes());
        this.lock = lock;
        this.recovered = recovered;
        this.clock = new MonotonicClock(recovered.lastTimestampMicros());
    }

    /**
     * Locks the directory (creating it when missing) and recovers the store.
     *
     * @throws io.batpak.core.StoreLockedException when another open store holds the directory
     * @throws io.batpak.core.CorruptStoreException when stored data is damaged (and repair is off)
     */
    public static StoreCore open(StoreConfig config) {
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new StoreException("cannot create store directory " + config.dataDir() + ": " + e.getMessage(), e);
        }
        DirectoryLock lock = DirectoryLock.acquire(config.dataDir());
        try {
            return new StoreCore(config, lock, StoreRecovery.recover(config));
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    public StoreConfig config() {
        return config;
    }

    /** The configured codec, bound to the configuration's event types (typed reads upcast with them). */
    public PayloadCodec codec() {
        return codec;
    }

    public EventIndex index() {
        return recovered.index();
    }

    public IdempotencyIndex keys() {
        return recovered.keys();
    }

    public SegmentSet segments() {
        return recovered.segments();
    }

    public MonotonicClock clock() {
        return clock;
    }

    public StoreRecovery.Recovered recovered() {
        return recovered;
    }

    public Path dataDir() {
        return config.dataDir();
    }

    /** The last visible global sequence, -1 when the store is empty. */
    public long lastGlobalSequence() {
        return recovered.index().visible();
    }

    /** The visible event with this id. */
    public Optional<StoredEvent> get(EventId id) {
        long seq = recovered.index().find(id.msb(), id.lsb());
        return seq < 0 ? Optional.empty() : Optional.of(readAt(seq));
    }

    /**
     * The visible event with this global sequence.
     *
     * @throws IndexOutOfBoundsException when it is not visible
     * @throws io.batpak.core.CorruptStoreException when its frame fails its checks
     */
    public StoredEvent readAt(long globalSequence) {
        EventIndex index = recovered.index();
        long loc = index.location(globalSequence);
        return recovered.segments().readEvent(EventIndex.segmentOrdinal(loc), EventIndex.segmentOffset(loc),
                index.length(globalSequence), globalSequence, codec);
    }

    /**
     * Up to {@code max} visible events of {@code entity} with entity sequence at or after {@code fromSequence},
     * in entity-sequence order (which is also commit order). Empty when the entity has no such event.
     */
    public List<StoredEvent> readEntity(String entity, long fromSequence, int max) {
        if (entity == null) {
            throw new InvalidAppendException("entity must not be null");
        }
        if (fromSequence < 0) {
            throw new InvalidAppendException("fromSequence must be >= 0, was " + fromSequence);
        }
        if (max < 0) {
            throw new InvalidAppendException("max must be >= 0, was " + max);
        }
        EventIndex index = recovered.index();
        EntityState e = index.findEntity(entity);
        if (e == null || max == 0) {
            return Collections.emptyList();
        }
        int visible = index.visibleCount(e);
        if (fromSequence >= visible) {
            return Collections.emptyList();
        }
        int end = (int) Math.min(visible, fromSequence + (long) max);
        List<StoredEvent> out = new ArrayList<>(end - (int) fromSequence);
        for (int s = (int) fromSequence; s < end; s++) {
            out.add(readAt(e.globalSequenceAt(s)));
        }
        return out;
    }

    /**
     * Up to {@code max} visible events of {@code entity} of kind {@code kind} with entity sequence at or after
     * {@code fromSequence}, in entity-sequence order. Events of other kinds are skipped using the index, without
     * reading their frames.
     */
    public List<StoredEvent> readEntity(String entity, long fromSequence, int max, EventKind kind) {
        if (entity == null) {
            throw new InvalidAppendException("entity must not be null");
        }
        if (kind == null) {
            throw new InvalidAppendException("kind must not be null");
        }
        if (fromSequence < 0) {
            throw new InvalidAppendException("fromSequence must be >= 0, was " + fromSequence);
        }
        if (max < 0) {
            throw new InvalidAppendException("max must be >= 0, was " + max);
        }
        EventIndex index = recovered.index();
        EntityState e = index.findEntity(entity);
        if (e == null || max == 0) {
            return Collections.emptyList();
        }
        int visible = index.visibleCount(e);
        List<StoredEvent> out = new ArrayList<>();
        for (long s = fromSequence; s < visible && out.size() < max; s++) {
            int g = e.globalSequenceAt((int) s);
            if (index.kindAt(g) == kind.raw()) {
                out.add(readAt(g));
            }
        }
        return out;
    }

    /** The visible head of an entity: last entity sequence (-1 when none) and its eventHash (zeros when none). */
    public EntityHead head(String entity) {
        EventIndex index = recovered.index();
        EntityState e = index.findEntity(entity);
        if (e == null) {
            return new EntityHead(-1, new byte[32]);
        }
        int n = index.visibleCount(e);
        if (n == e.count()) {
            return new EntityHead(n - 1, e.lastHash());
        }
        byte[] hash = n == 0 ? new byte[32] : readAt(e.globalSequenceAt(n - 1)).eventHash().toByteArray();
        return new EntityHead(n - 1, hash);
    }

    /** An entity's last sequence and hash. */
    public record EntityHead(long lastSequence, byte[] lastHash) {
    }

    /** Closes segment channels and releases the directory lock. Call after the writer has stopped. */
    @Override
    public void close() {
        recovered.segments().close();
        lock.close();
    }
}
