package io.batpak.core.internal.journal;

import io.batpak.core.AppendReceipt;
import io.batpak.core.CursorCheckpointInfo;
import io.batpak.core.StoreStatistics;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.IndexEntry;
import io.batpak.core.PayloadCodec;
import io.batpak.core.ReceiptSigner;
import io.batpak.core.ReceiptVerification;
import io.batpak.core.ProgressListener;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.StoreReader;
import io.batpak.core.EventTypeRegistry;
import io.batpak.core.VerifyReport;
import io.batpak.core.error.InvalidQueryException;
import io.batpak.core.error.StoreException;
import io.batpak.core.internal.DirectoryLock;
import io.batpak.core.internal.MonotonicClock;
import io.batpak.core.internal.crypto.SubjectKeyStore;
import io.batpak.core.internal.cursor.CheckpointStore;
import io.batpak.core.internal.index.IndexCheckpoint;
import io.batpak.core.internal.segment.SegmentHeader;
import io.batpak.core.internal.index.EntityState;
import io.batpak.core.internal.index.EventIndex;
import io.batpak.core.internal.index.PostingList;
import io.batpak.core.internal.index.IdempotencyIndex;
import io.batpak.core.internal.index.RegionQuery;
import io.batpak.core.internal.recovery.StoreRecovery;
import io.batpak.core.internal.segment.RemovalFrame;
import io.batpak.core.internal.segment.SegmentSet;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Function;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.StampedLock;

/**
 * The open store without its actors: directory lock, recovered index, idempotency keys, segment files and the
 * event clock, with the synchronous read API. Reads are thread-safe, lock-free and never wait for the writer;
 * they see only events that are visible (durable under the sync mode in force).
 *
 * <p>Verification ({@link #verify}, {@link #verifyEntity}, {@link #walkAncestors}, {@link #verifyReceipt}) is
 * implemented once here (with {@link StoreVerifier}) for both the actor store and the read-only store. A core
 * opened with {@link #openReadOnly} changes no file and cannot be written to.
 */
public final class StoreCore implements StoreReader, AutoCloseable {
    private final StoreConfig config;
    private final DirectoryLock lock;
    private final StoreRecovery.Recovered recovered;
    private final MonotonicClock clock;
    private final PayloadCodec codec;
    private final boolean readOnly;
    private final ReceiptSigner signer;
    private final StoreVerifier verifier;
    private final SubjectKeyStore subjectKeys;
    private final Redactions redactions;
    private final String storeId;
    private final java.util.concurrent.Semaphore lifecycle = new java.util.concurrent.Semaphore(1);

    private StoreCore(StoreConfig config, DirectoryLock lock, StoreRecovery.Recovered recovered, boolean readOnly) {
        this.config = config;
        this.codec = config.codec().withEventTypes(config.eventTypes());
        this.lock = lock;
        this.recovered = recovered;
        this.clock = new MonotonicClock(recovered.lastTimestampMicros());
        this.readOnly = readOnly;
        this.signer = ReceiptSigner.of(config);
        this.verifier = new StoreVerifier(this);
        try {
            this.subjectKeys = SubjectKeyStore.open(config.subjectKeysDir(), readOnly, config.ioFaultHook());
            this.redactions = Redactions.load(recovered.index(), recovered.segments(), codec, subjectKeys);
            this.storeId = loadStoreId(config, readOnly);
        } catch (RuntimeException e) {
            recovered.segments().close();
            throw e;
        }
    }

    /**
     * Locks the directory (creating it when missing) and recovers the store.
     *
     * @throws io.batpak.core.error.StoreLockedException when another open store holds the directory
     * @throws io.batpak.core.error.CorruptStoreException when stored data is damaged (and repair is off)
     */
    public static StoreCore open(StoreConfig config) {
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new StoreException("cannot create store directory " + config.dataDir() + ": " + e.getMessage(), e);
        }
        DirectoryLock lock = DirectoryLock.acquire(config.dataDir(), false);
        try {
            StoreCore core = new StoreCore(config, lock, StoreRecovery.recover(config), false);
            lock.recordOwner();
            return core;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Locks the existing store directory exclusively (like {@link #open}) and recovers it without changing any
     * file: a torn tail is ignored rather than cut, nothing is deleted or written, and the lock file's text is left
     * as it is (an empty {@code LOCK} is created only when missing). A frame that breaks its entity's hash chain is
     * indexed as stored so that {@link #verify} can report it. See {@link StoreRecovery} for the rules.
     *
     * @throws StoreException when the directory does not exist
     * @throws io.batpak.core.error.InvalidConfigException when {@code config.repair()} is on (a read-only open never repairs)
     * @throws io.batpak.core.error.StoreLockedException when another open store holds the directory
     * @throws io.batpak.core.error.CorruptStoreException when stored data is damaged beyond a broken chain link
     */
    public static StoreCore openReadOnly(StoreConfig config) {
        if (config.repair()) {
            throw new io.batpak.core.error.InvalidConfigException("batpak.repair",
                    "a read-only open never repairs; turn repair off");
        }
        if (!Files.isDirectory(config.dataDir())) {
            throw new StoreException("no store directory " + config.dataDir());
        }
        DirectoryLock lock = DirectoryLock.acquire(config.dataDir(), false);
        try {
            return new StoreCore(config, lock, StoreRecovery.recover(config, true), true);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Recovers the store like {@link #openReadOnly} <em>without</em> taking the directory lock, so that another
     * process (or this one) may own and write it meanwhile: the view is of the data completely written when the open
     * read it (an atomic group still being written is ignored like a torn tail). For following a live store; no
     * write and no repair ever happens through it.
     *
     * @throws StoreException when the directory does not exist
     * @throws io.batpak.core.error.CorruptStoreException when stored data is damaged, or changed under the open in a
     *     way it cannot tell from damage (a compaction swapping segments meanwhile: open again)
     */
    public static StoreCore openShared(StoreConfig config) {
        if (config.repair()) {
            throw new io.batpak.core.error.InvalidConfigException("batpak.repair",
                    "a shared read-only open never repairs; turn repair off");
        }
        if (!Files.isDirectory(config.dataDir())) {
            throw new StoreException("no store directory " + config.dataDir());
        }
        return new StoreCore(config, null, StoreRecovery.recover(config, true), true);
    }

    /** Name of the file holding the store's id. */
    public static final String STORE_ID_FILE = "store.id";

    /**
     * The store's id (a random UUID in {@value #STORE_ID_FILE}, created at the first writable open), recorded as the
     * source of exported events. A read-only open of a store that never had one reports {@code "unrecorded"}.
     */
    public String storeId() {
        return storeId;
    }

    private static String loadStoreId(StoreConfig config, boolean readOnly) {
        Path file = config.dataDir().resolve(STORE_ID_FILE);
        try {
            if (Files.exists(file)) {
                String id = Files.readString(file, java.nio.charset.StandardCharsets.US_ASCII).trim();
                java.util.UUID.fromString(id);
                return id;
            }
            if (readOnly) {
                return "unrecorded";
            }
            String id = java.util.UUID.randomUUID().toString();
            io.batpak.core.internal.DurableFiles.replaceWith(config.dataDir().resolve(STORE_ID_FILE + ".tmp"), file,
                    java.nio.ByteBuffer.wrap((id + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                    config.ioFaultHook());
            return id;
        } catch (IOException e) {
            throw new StoreException("cannot read or create " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new io.batpak.core.error.CorruptStoreException(file, 0, "not a store id: " + e.getMessage());
        }
    }

    /**
     * A copy of the frame of the visible event at {@code globalSequence} exactly as stored (checked), or null when
     * compaction removed it. Paired with its file under an optimistic read of the segment layout, like
     * {@link #readAt}.
     */
    public byte[] rawFrame(long globalSequence) {
        EventIndex index = recovered.index();
        SegmentSet segments = recovered.segments();
        return paired(globalSequence, loc -> {
            java.nio.ByteBuffer b = segments.readFrame(EventIndex.segmentOrdinal(loc), EventIndex.segmentOffset(loc),
                    index.length(globalSequence));
            byte[] copy = new byte[b.remaining()];
            b.duplicate().get(copy);
            return copy;
        });
    }

    /** Whether this core was opened with {@link #openReadOnly}. */
    public boolean readOnly() {
        return readOnly;
    }

    /** Signs receipts with the configured keys (unsigned when there are none) and checks receipt signatures. */
    public ReceiptSigner signer() {
        return signer;
    }

    /** The data subjects' keys: sealed payloads are decrypted with them on read. */
    public SubjectKeyStore subjectKeys() {
        return subjectKeys;
    }

    @Override
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

    @Override
    public long lastGlobalSequence() {
        return recovered.index().visible();
    }

    @Override
    public long lastEntitySequence(String entity) {
        if (entity == null) {
            throw new InvalidQueryException("entity must not be null");
        }
        EventIndex index = recovered.index();
        EntityState e = index.findEntity(entity);
        return e == null ? -1 : index.visibleCount(e) - 1;
    }

    @Override
    public long removedThrough(long afterGlobalSequence) {
        if (afterGlobalSequence < -1) {
            throw new InvalidQueryException("afterGlobalSequence must be >= -1, was " + afterGlobalSequence);
        }
        return recovered.index().removedThrough(afterGlobalSequence);
    }

    @Override
    public Optional<StoredEvent> get(EventId id) {
        if (id == null) {
            throw new InvalidQueryException("eventId must not be null");
        }
        long seq = recovered.index().find(id.msb(), id.lsb());
        return seq < 0 ? Optional.empty() : Optional.ofNullable(readAt(seq));
    }

    /**
     * The visible event with this global sequence, or null when compaction removed it. A redacted event comes back
     * without its payload, also while its bytes are still in a segment (before the compaction that erases them).
     *
     * <p>The index location and the segment file are paired under an optimistic read of the segment layout: a read
     * that overlapped a segment rewrite is retried, so a reader never sees a half-swapped segment set.
     *
     * @throws IndexOutOfBoundsException when it is not visible
     * @throws io.batpak.core.error.CorruptStoreException when its frame fails its checks
     */
    public StoredEvent readAt(long globalSequence) {
        EventIndex index = recovered.index();
        SegmentSet segments = recovered.segments();
        // The coordinate comes from the index's names, which recovery and the writer took from this same frame.
        StoredEvent e = paired(globalSequence, loc -> segments.readEvent(EventIndex.segmentOrdinal(loc),
                EventIndex.segmentOffset(loc), index.length(globalSequence), globalSequence, codec, subjectKeys,
                index.coordinateAt(globalSequence)));
        return e != null && redactions.contains(globalSequence) ? e.withoutPayload() : e;
    }

    /**
     * Reads what the index locates at {@code globalSequence} with {@code read}, under an optimistic read of the segment
     * layout: a read that overlapped a segment rewrite is retried, so the location and the file always belong
     * together. Null when compaction removed the event.
     */
    private <T> T paired(long globalSequence, java.util.function.LongFunction<T> read) {
        EventIndex index = recovered.index();
        StampedLock layout = recovered.segments().layout();
        while (true) {
            long stamp = layout.tryOptimisticRead();
            if (stamp == 0) {
                // A rewrite is being swapped in: wait for it instead of spinning.
                layout.asReadLock().lock();
                layout.asReadLock().unlock();
                continue;
            }
            long loc = index.location(globalSequence);
            if (EventIndex.isRemoved(loc)) {
                if (layout.validate(stamp)) {
                    return null;
                }
                continue;
            }
            T value;
            try {
                value = read.apply(loc);
            } catch (RuntimeException ex) {
                if (layout.validate(stamp)) {
                    throw ex;
                }
                continue;
            }
            if (layout.validate(stamp)) {
                return value;
            }
        }
    }

    /**
     * Held by whatever reads or rewrites the segment files and the index as a whole: an index checkpoint, a backup, a
     * compaction. One at a time; a permit may be released by another thread than the one that took it.
     */
    public java.util.concurrent.Semaphore lifecycle() {
        return lifecycle;
    }

    /** The redactions recorded in this store (their payloads read as erased). */
    public Redactions redactions() {
        return redactions;
    }

    /**
     * The anchor a removed event left: the eventHash of the removed event at {@code globalSequence} when it was its
     * entity's last in its removal run, else null.
     */
    public byte[] anchorAt(long globalSequence) {
        StampedLock layout = recovered.segments().layout();
        long stamp = layout.readLock();
        try {
            return anchorAtLocked(globalSequence);
        } finally {
            layout.unlockRead(stamp);
        }
    }

    /** {@link #anchorAt} for a caller that holds the read lock of the segment layout. */
    byte[] anchorAtLocked(long globalSequence) {
        EventIndex index = recovered.index();
        long loc = index.location(globalSequence);
        if (!EventIndex.isRemoved(loc)) {
            return null;
        }
        RemovalFrame.Decoded d = recovered.segments().readRemoval(
                EventIndex.segmentOrdinal(loc & ~EventIndex.REMOVED_BIT), EventIndex.segmentOffset(loc));
        EntityState es = index.entityById(index.entityIdAt(globalSequence));
        return d.anchor(es.name(), es.postings().positionOf(globalSequence));
    }

    @Override
    public List<StoredEvent> readEntity(String entity, long fromSequence, int max) {
        return readEntity(entity, fromSequence, max, -1);
    }

    @Override
    public List<StoredEvent> query(Region region, long afterGlobalSequence, int limit) {
        int[] seqs = select(region, afterGlobalSequence, limit);
        List<StoredEvent> out = new ArrayList<>(seqs.length);
        int asked = limit;
        // A short page means "nothing more (yet)": an event that a concurrent compaction removed between selection
        // and read must not shorten it, so the page is topped up from past the last selected event.
        while (true) {
            for (int g : seqs) {
                StoredEvent e = readAt(g);
                if (e != null) {
                    out.add(e);
                }
            }
            if (seqs.length < asked || out.size() == limit) {
                return out;
            }
            asked = limit - out.size();
            seqs = select(region, seqs[seqs.length - 1], asked);
        }
    }

    @Override
    public io.batpak.core.EventIterator replay(Region region, long afterGlobalSequence) {
        if (region == null) {
            throw new InvalidQueryException("region must not be null");
        }
        if (afterGlobalSequence < -1) {
            throw new InvalidQueryException("afterGlobalSequence must be >= -1, was " + afterGlobalSequence);
        }
        return new SequentialReader(this, region, afterGlobalSequence);
    }

    @Override
    public long replay(Region region, long afterGlobalSequence, io.batpak.core.EventHandler handler) {
        if (handler == null) {
            throw new InvalidQueryException("handler must not be null");
        }
        SequentialReader reader = (SequentialReader) replay(region, afterGlobalSequence);
        return reader.forEach(handler);
    }

    @Override
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

    @Override
    public List<String> tags(String prefix, String afterTag, int limit) {
        EventIndex index = recovered.index();
        long visible = index.visible();
        return listNames(index.tagsInRange(first(prefix, afterTag), null).entrySet(), Map.Entry::getKey, prefix,
                afterTag, limit, t -> {
                    PostingList p = index.tagPostings(t.getValue());
                    return p.count() > 0 && p.get(0) <= visible;
                });
    }

    @Override
    public List<String> entities(String prefix, String afterEntity, int limit) {
        EventIndex index = recovered.index();
        return listNames(index.entitiesInRange(first(prefix, afterEntity), null), EntityState::name, prefix,
                afterEntity, limit, e -> index.visibleCount(e) > 0);
    }

    private static String first(String prefix, String after) {
        return after == null ? (prefix == null ? "" : prefix) : after;
    }

    /**
     * A page of a registry listing: from {@code ordered} (in name order, starting at {@link #first}), the names in
     * {@code prefix}'s namespace after {@code after} for which {@code visible} holds, at most {@code limit}.
     */
    private static <T> List<String> listNames(Iterable<T> ordered, Function<T, String> nameOf, String prefix,
                                              String after, int limit, Predicate<T> visible) {
        checkLimit("limit", limit);
        List<String> out = new ArrayList<>(Math.min(limit, 1024));
        if (limit == 0) {
            return out;
        }
        for (T item : ordered) {
            String name = nameOf.apply(item);
            if (after != null && name.equals(after)) {
                continue;
            }
            if (prefix != null && !Region.namespaceMatches(prefix, name)) {
                if (name.compareTo(prefix + (char) (Region.NAMESPACE_SEPARATOR + 1)) >= 0) {
                    break;
                }
                continue;
            }
            if (visible.test(item)) {
                out.add(name);
                if (out.size() == limit) {
                    break;
                }
            }
        }
        return out;
    }

    @Override
    public <T> List<T> readTyped(String entity, long fromSequence, int max, Class<T> type) {
        if (type == null) {
            throw new InvalidQueryException("type must not be null");
        }
        EventTypeRegistry.Registration registration = config.eventTypes().register(type);
        List<StoredEvent> events = readEntity(entity, fromSequence, max, registration.kind());
        List<T> out = new ArrayList<>(events.size());
        for (StoredEvent e : events) {
            out.add(e.payloadAs(type));
        }
        return out;
    }

    /**
     * Up to {@code max} visible events of {@code entity} of kind {@code kind} with entity sequence at or after
     * {@code fromSequence}, in entity-sequence order. Events of other kinds are skipped using the index, without
     * reading their frames.
     */
    public List<StoredEvent> readEntity(String entity, long fromSequence, int max, EventKind kind) {
        if (kind == null) {
            throw new InvalidQueryException("kind must not be null");
        }
        return readEntity(entity, fromSequence, max, kind.raw());
    }

    /** Reads an entity's visible events from {@code fromSequence}, only of {@code rawKind} unless it is -1. */
    private List<StoredEvent> readEntity(String entity, long fromSequence, int max, int rawKind) {
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
        List<StoredEvent> out = new ArrayList<>((int) Math.min(max, Math.max(0, visible - fromSequence)));
        for (long s = fromSequence; s < visible && out.size() < max; s++) {
            int g = e.globalSequenceAt((int) s);
            if (!index.removed(g) && (rawKind < 0 || index.kindAt(g) == rawKind)) {
                StoredEvent read = readAt(g);
                if (read != null) {
                    out.add(read);
                }
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
        byte[] hash = new byte[32];
        if (n > 0) {
            int last = e.globalSequenceAt(n - 1);
            StoredEvent read = readAt(last);
            hash = read != null ? read.eventHash().toByteArray() : anchorAt(last);
        }
        return new EntityHead(n - 1, hash);
    }

    /** An entity's last sequence and hash. */
    public record EntityHead(long lastSequence, byte[] lastHash) {
    }

    @Override
    public AppendReceipt receiptOf(StoredEvent event) {
        if (event == null) {
            throw new InvalidQueryException("event must not be null");
        }
        return signer.sign(event.toReceipt());
    }

    @Override
    public List<StoredEvent> walkAncestors(EventId id, int limit) {
        return verifier.walkAncestors(id, limit);
    }

    @Override
    public VerifyReport verify() {
        return verifier.verifyStore(ProgressListener.NONE);
    }

    @Override
    public StoreStatistics statistics() {
        EventIndex index = recovered.index();
        SegmentSet segments = recovered.segments();
        long last = index.visible();
        long removed = 0;
        for (long g = 0; g <= last; g++) {
            if (index.removed(g)) {
                removed++;
            }
        }
        long entities = 0;
        for (int id = 0, n = index.entityCount(); id < n; id++) {
            if (index.visibleCount(index.entityById(id)) > 0) {
                entities++;
            }
        }
        long tags = 0;
        for (int id = 0, n = index.tagCount(); id < n; id++) {
            PostingList p = index.tagPostings(id);
            if (p.count() > 0 && p.get(0) <= last) {
                tags++;
            }
        }
        long first = last < 0 ? -1 : index.removedThrough(-1) + 1;
        long lastStored = last;
        while (lastStored >= first && index.removed(lastStored)) {
            lastStored--;
        }
        StoredEvent firstEvent = first < 0 || first > last ? null : readAt(first);
        StoredEvent lastEvent = lastStored < first || lastStored < 0 ? null : readAt(lastStored);
        long segmentBytes = 0;
        int segmentCount;
        StampedLock layout = segments.layout();
        long stamp = layout.readLock();
        try {
            segmentCount = segments.count();
            for (int i = 0; i < segmentCount; i++) {
                segmentBytes += segments.size(i);
            }
        } finally {
            layout.unlockRead(stamp);
        }
        CheckpointStore cursors = new CheckpointStore(dataDir());
        List<CursorCheckpointInfo> checkpoints = new ArrayList<>();
        for (String id : cursors.ids()) {
            cursors.inspect(id).ifPresent(checkpoints::add);
        }
        return new StoreStatistics(storeId(), SegmentHeader.FORMAT_VERSION, segmentCount, segmentBytes,
                last + 1 - removed, removed, redactions.countIn(0, last), entities, tags,
                firstEvent == null ? -1 : first, last, time(firstEvent), time(lastEvent),
                modified(dataDir().resolve(IndexCheckpoint.FILE_NAME)), checkpoints, diskBytes(dataDir()));
    }

    private static Instant time(StoredEvent e) {
        return e == null ? null : Instant.EPOCH.plus(e.timestampMicros(), ChronoUnit.MICROS);
    }

    private static Instant modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toInstant();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new StoreException("cannot read the time of " + file + ": " + e.getMessage(), e);
        }
    }

    private static long diskBytes(Path dir) {
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    total[0] += attrs.size();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // a file deleted meanwhile (a temporary one) counts nothing
                }
            });
        } catch (IOException e) {
            throw new StoreException("cannot measure the disk use of " + dir + ": " + e.getMessage(), e);
        }
        return total[0];
    }

    @Override
    public VerifyReport verify(ProgressListener progress) {
        if (progress == null) {
            throw new InvalidQueryException("progress must not be null");
        }
        return verifier.verifyStore(progress);
    }

    @Override
    public VerifyReport verifyEntity(String entity) {
        return verifier.verifyEntity(entity);
    }

    @Override
    public ReceiptVerification verifyReceipt(AppendReceipt receipt) {
        return verifier.verifyReceipt(receipt);
    }

    /** Closes segment channels and releases the directory lock. Call after the writer has stopped. */
    @Override
    public void close() {
        recovered.segments().close();
        if (lock != null) {
            lock.close();
        }
    }
}
