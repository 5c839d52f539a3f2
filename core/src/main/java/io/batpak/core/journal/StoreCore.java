package io.batpak.core.journal;

import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.IndexEntry;
import io.batpak.core.InvalidQueryException;
import io.batpak.core.Region;
import io.batpak.core.PayloadCodec;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoreException;
import io.batpak.core.StoredEvent;
import io.batpak.core.index.EntityState;
import io.batpak.core.index.EventIndex;
import io.batpak.core.index.IdempotencyIndex;
import io.batpak.core.index.RegionQuery;
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
            throw new InvalidQueryException("entity must not be null");
        }
        if (fromSequence < 0) {
            throw new InvalidQueryException("fromSequence must be >= 0, was " + fromSequence);
        }
        checkLimit("max", max);
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
     * Up to {@code limit} visible events in {@code region} with a global sequence strictly greater than
     * {@code afterGlobalSequence} (-1 starts at the beginning), in commit order. Page by passing the last global
     * sequence returned. Never returns an event that is not yet visible, nor part of an atomic batch.
     *
     * @throws InvalidQueryException when the region is null, the position is below -1 or the limit negative
     */
    public List<StoredEvent> query(Region region, long afterGlobalSequence, int limit) {
        int[] seqs = select(region, afterGlobalSequence, limit);
        List<StoredEvent> out = new ArrayList<>(seqs.length);
        for (int g : seqs) {
            out.add(readAt(g));
        }
        return out;
    }

    /** Like {@link #query} but answered from the index alone, without reading payloads. */
    public List<IndexEntry> queryIndex(Region region, long afterGlobalSequence, int limit) {
        int[] seqs = select(region, afterGlobalSequence, limit);
        EventIndex index = recovered.index();
        List<IndexEntry> out = new ArrayList<>(seqs.length);
        for (int g : seqs) {
            out.add(new IndexEntry(g, new EventId(index.idMsbAt(g), index.idLsbAt(g)),
                    index.entityById(index.entityIdAt(g)).name(), index.scopeName(index.scopeIdAt(g)),
                    EventKind.fromRaw(index.kindAt(g)), index.entitySequenceAt(g)));
        }
        return out;
    }

    private int[] select(Region region, long afterGlobalSequence, int limit) {
        if (region == null) {
            throw new InvalidQueryException("region must not be null");
        }
        if (afterGlobalSequence < -1) {
            throw new InvalidQueryException("afterGlobalSequence must be >= -1, was " + afterGlobalSequence);
        }
        checkLimit("limit", limit);
        return RegionQuery.select(recovered.index(), region, afterGlobalSequence, limit);
    }

    /**
     * Names of entities with visible events, in name order: all of them when {@code prefix} is null, else the
     * entity {@code prefix} and its namespace ({@code prefix:...}). Pages start after {@code afterEntity}
     * (null: from the first), at most {@code limit} names.
     */
    public List<String> entities(String prefix, String afterEntity, int limit) {
        checkLimit("limit", limit);
        EventIndex index = recovered.index();
        List<String> out = new ArrayList<>(Math.min(limit, 1024));
        if (limit == 0) {
            return out;
        }
        String from = afterEntity == null ? (prefix == null ? "" : prefix) : afterEntity;
        for (EntityState e : index.entitiesInRange(from, null)) {
            String name = e.name();
            if (afterEntity != null && name.equals(afterEntity)) {
                continue;
            }
            if (prefix != null && !Region.namespaceMatches(prefix, name)) {
                if (name.compareTo(prefix + (char) (Region.NAMESPACE_SEPARATOR + 1)) >= 0) {
                    break;
                }
                continue;
            }
            if (index.visibleCount(e) > 0) {
                out.add(name);
                if (out.size() == limit) {
                    break;
                }
            }
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
            throw new InvalidQueryException("entity must not be null");
        }
        if (kind == null) {
            throw new InvalidQueryException("kind must not be null");
        }
        if (fromSequence < 0) {
            throw new InvalidQueryException("fromSequence must be >= 0, was " + fromSequence);
        }
        checkLimit("max", max);
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

    private static void checkLimit(String name, int limit) {
        if (limit < 0) {
            throw new InvalidQueryException(name + " must be >= 0, was " + limit);
        }
    }

    /**
     * The visible head of an entity: last entity sequence (-1 when none) and its eventHash (zeros when none).
     * Consistent only while no append of this entity is being committed (the entity's partition ensures that).
     */
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
