package io.batpak.actors;

import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.EventType;
import io.batpak.core.EventTypeRegistry;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.IndexEntry;
import io.batpak.core.ReceiptVerification;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoreStats;
import io.batpak.core.StoredEvent;
import io.batpak.core.VerifyReport;
import io.batpak.core.error.InvalidAppendException;
import io.batpak.core.error.InvalidConfigException;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.InvalidQueryException;
import io.batpak.core.error.PayloadTooLargeException;
import io.batpak.core.error.ReservedKindException;
import io.batpak.core.error.StoreException;
import io.batpak.core.internal.journal.JournalWriter;
import io.batpak.core.internal.journal.StoreCore;
import io.batpak.core.internal.recovery.StoreRecovery;
import io.batpak.core.internal.segment.FrameLayout;
import io.batpak.core.internal.segment.SegmentHeader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open batpak store: an append-only journal in one directory, embedded in this process.
 *
 * <h2>Writes</h2>
 * Appends are asynchronous and return a {@link CompletionStage}. A receipt arrives only once the event is
 * durable under the configured {@link io.batpak.core.SyncMode} (by default forced to disk) and visible to readers.
 * Many concurrent appends share one write and one force (group commit). Per entity, appends are stored in the
 * order they were issued (from one thread) and get gap-free entity sequences from 0; every event gets the next
 * gap-free global sequence at commit. Each event's {@code eventHash} chains to the entity's previous event.
 * Errors are reported by failing the returned stage with a typed {@link StoreException}: bad input
 * ({@link io.batpak.core.error.InvalidCoordinateException}, {@link ReservedKindException},
 * {@link PayloadTooLargeException}, {@link InvalidAppendException}), conditions
 * ({@link io.batpak.core.error.SequenceMismatchException}, {@link io.batpak.core.error.IdempotencyConflictException}),
 * load ({@link io.batpak.core.error.StoreOverloadedException}), I/O ({@link io.batpak.core.error.StoreWriteException},
 * {@link io.batpak.core.error.StoreFailedException}) and lifecycle ({@link io.batpak.core.error.StoreClosedException}).
 * A failed append stored nothing. Completion callbacks never run on the writer's thread.
 *
 * <h2>Typed events and gates</h2>
 * {@link #appendTyped} stores an object of an {@link EventType} class under its class's kind with its schema
 * version; {@link #readTyped} and {@link StoredEvent#payloadAs(Class)} read it back, upcasting events stored with
 * an older version ({@link io.batpak.core.Upcaster}). Configured {@link io.batpak.core.Gate}s are evaluated before
 * every append is committed; a denial fails it with {@link io.batpak.core.error.GateDeniedException}.
 *
 * <h2>Reads</h2>
 * {@link #get}, {@link #readEntity} and {@link #lastGlobalSequence} are synchronous, thread-safe and never wait for
 * the writer. They see exactly the visible events: durable ones (a reader never sees an event a crash could
 * take back) and an atomic batch all at once or not at all. Every frame read is checksum-verified; damaged data
 * fails with {@link io.batpak.core.error.CorruptStoreException} and is never served.
 *
 * <h2>Verification and signed receipts</h2>
 * {@link #verify}, {@link #verifyEntity}, {@link #walkAncestors} and {@link #verifyReceipt} recompute checksums and
 * BLAKE3 hashes and follow the hash chains of the visible events while appends continue, without blocking the
 * writer; they run on the calling thread and do blocking reads. With {@link StoreConfig.Builder#signingKeys} every
 * receipt is signed with Ed25519 (on the reply thread, never on the writer's).
 * {@link io.batpak.core.ReadOnlyStore} offers the same reads and checks without actors and without changing a file.
 *
 * <h2>Lifecycle</h2>
 * {@link #open} locks the directory ({@link io.batpak.core.error.StoreLockedException} if another store holds it) and
 * recovers it. {@link #close} stops accepting appends, waits for those in flight, forces, writes the index
 * checkpoint and releases the lock. All methods are thread-safe.
 */
public final class BatpakStore {
    private static final Logger LOG = LoggerFactory.getLogger(BatpakStore.class);
    private static final AtomicLong STORE_IDS = new AtomicLong();

    private final StoreConfig config;
    private final StoreCore core;
    private final StoreRuntime rt;
    private final ActorSystem<?> system;
    private final boolean ownsSystem;
    private final ActorRef<StoreCommand> ref;
    private final ActorRef<FanoutActor.Command> fanout;
    private CompletableFuture<Done> closed;
    /** The close registered with the system's CoordinatedShutdown; cancelled when close() is called first. */
    private final Cancellable shutdownTask;

    private BatpakStore(StoreConfig config, StoreCore core, StoreRuntime rt, ActorSystem<?> system,
                        boolean ownsSystem, long id) {
        this.config = config;
        this.core = core;
        this.rt = rt;
        this.system = system;
        this.ownsSystem = ownsSystem;
        DispatcherSelector writerDispatcher = DispatcherSelector.fromConfig(config.writerDispatcher());
        rt.writer = system.systemActorOf(WriterActor.create(rt), "batpak-writer-" + id, writerDispatcher);
        List<ActorRef<EntityPartition.Command>> partitions = new ArrayList<>(config.partitions());
        for (int i = 0; i < config.partitions(); i++) {
            partitions.add(system.systemActorOf(EntityPartition.create(rt), "batpak-partition-" + id + "-" + i,
                    Props.empty()));
        }
        rt.partitions = List.copyOf(partitions);
        this.fanout = system.systemActorOf(FanoutActor.create(rt), "batpak-fanout-" + id,
                DispatcherSelector.fromConfig(config.fanoutDispatcher()));
        rt.feed.attach(fanout);
        this.ref = system.systemActorOf(StoreActor.create(this), "batpak-store-" + id, Props.empty());
        // A system that terminates (or a JVM that exits) before close() was called still closes the store while
        // its actors run: in the last phase before the system terminates, after the services that used it stopped.
        this.shutdownTask = CoordinatedShutdown.get(system).addCancellableTask(
                CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "batpak-store-close-" + id, this::close);
    }

    /**
     * Opens (creating if needed) the store in {@code config.dataDir()} with an ActorSystem of its own, which
     * {@link #close()} terminates.
     *
     * @throws io.batpak.core.error.StoreLockedException when another open store holds the directory
     * @throws io.batpak.core.error.CorruptStoreException when stored data is damaged and repair is off
     * @throws io.batpak.core.error.UnsupportedFormatException when a file has a newer format version
     */
    public static BatpakStore open(StoreConfig config) {
        InvalidInputException.requireArgument(config, "config");
        StoreCore core = StoreCore.open(config);
        ActorSystem<Void> system;
        try {
            system = ActorSystem.create(Behaviors.empty(), "batpak");
        } catch (RuntimeException e) {
            core.close();
            throw e;
        }
        try {
            return start(config, core, system, true);
        } catch (RuntimeException e) {
            system.terminate();
            throw e;
        }
    }

    /**
     * Opens the store inside the caller's ActorSystem (its actors are system actors there). {@link #close()} stops
     * them but leaves the system running.
     */
    public static BatpakStore open(StoreConfig config, ActorSystem<?> system) {
        InvalidInputException.requireArgument(config, "config");
        InvalidInputException.requireArgument(system, "system");
        return start(config, StoreCore.open(config), system, false);
    }

    private static BatpakStore start(StoreConfig config, StoreCore core, ActorSystem<?> system, boolean owns) {
        JournalWriter journal;
        try {
            // Checked before anything is started, so a wrong dispatcher fails the open with nothing to undo but
            // the recovered core (and its directory lock).
            requireDispatcher(system, "batpak.writer-dispatcher", config.writerDispatcher());
            requireDispatcher(system, "batpak.io-dispatcher", config.ioDispatcher());
            requireDispatcher(system, "batpak.fanout-dispatcher", config.fanoutDispatcher());
            journal = new JournalWriter(core);
        } catch (IOException | RuntimeException e) {
            core.close();
            throw e instanceof StoreException se ? se
                    : new StoreException("cannot open the active segment in " + config.dataDir() + ": " + e.getMessage(), e);
        }
        try {
            Executor replies = system.executionContext();
            Executor io = system.dispatchers().lookup(DispatcherSelector.fromConfig(config.ioDispatcher()));
            StoreRuntime rt = new StoreRuntime(core, journal, replies, io);
            return new BatpakStore(config, core, rt, system, owns, STORE_IDS.incrementAndGet());
        } catch (RuntimeException e) {
            // A failed open releases everything it acquired: the active segment, the core and the directory lock.
            try {
                journal.close();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            core.close();
            throw e;
        }
    }

    /** A dispatcher the store runs on must be configured in the ActorSystem it opens in. */
    private static void requireDispatcher(ActorSystem<?> system, String setting, String path) {
        if (!system.settings().config().hasPath(path)) {
            throw new InvalidConfigException(setting, "no dispatcher is configured at \"" + path
                    + "\" in the ActorSystem's configuration");
        }
    }

    /** The configuration the store was opened with. */
    public StoreConfig config() {
        return config;
    }

    /** The typed protocol for actor callers; same semantics as the methods of this class. */
    public ActorRef<StoreCommand> ref() {
        return ref;
    }

    /** The ActorSystem the store's actors run in. */
    public ActorSystem<?> system() {
        return system;
    }

    /**
     * The live side of the store (push delivery and wake-ups for newly visible events), used by
     * {@code batpak-streams} subscriptions and cursors.
     */
    public StoreFeed feed() {
        return rt.feed;
    }

    /**
     * Appends one request: a typed request as {@link #appendTyped(Coordinate, Object, AppendOptions)}, any other as
     * {@link #append(Coordinate, EventKind, Object, AppendOptions)}.
     */
    public CompletionStage<AppendReceipt> append(AppendRequest request) {
        if (request == null) {
            return CompletableFuture.failedFuture(new InvalidAppendException("request must not be null"));
        }
        return request.typed() ? appendTyped(request.coordinate(), request.payload(), request.options())
                : append(request.coordinate(), request.kind(), request.payload(), request.options());
    }

    /** Appends a root event with default options. See {@link #append(Coordinate, EventKind, Object, AppendOptions)}. */
    public CompletionStage<AppendReceipt> append(Coordinate coordinate, EventKind kind, Object payload) {
        return append(coordinate, kind, payload, AppendOptions.DEFAULT);
    }

    /**
     * Appends one event. {@code payload} is stored as-is when it is a {@code byte[]}, else encoded with the
     * configured Jackson CBOR mapper on the calling thread.
     *
     * <p>Options: {@link AppendOptions#expected()} is checked against the entity's last sequence including
     * appends accepted before this one, so concurrent conditional appends have one winner per sequence. An
     * idempotency key the store already holds (within {@code batpak.idempotency-window}) returns the original
     * receipt, checked before the expected sequence; reusing it for a different coordinate, kind or payload fails
     * with {@link io.batpak.core.error.IdempotencyConflictException}.
     *
     * @return the receipt, once the event is durable and visible; or a failed stage naming what went wrong
     */
    public CompletionStage<AppendReceipt> append(Coordinate coordinate, EventKind kind, Object payload,
                                                 AppendOptions options) {
        return appendEncoded(coordinate, kind, payload, 0, options);
    }

    /** Appends a typed event with default options. See {@link #appendTyped(Coordinate, Object, AppendOptions)}. */
    public CompletionStage<AppendReceipt> appendTyped(Coordinate coordinate, Object event) {
        return appendTyped(coordinate, event, AppendOptions.DEFAULT);
    }

    /**
     * Appends an object of an {@link EventType} class: its kind and payload version come from the class's
     * annotation (the class is registered on first use), the payload is encoded with the configured Jackson CBOR
     * mapper and the version is stored in the frame. Otherwise as {@link #append(Coordinate, EventKind, Object,
     * AppendOptions)}.
     *
     * @return the receipt; or a failed stage, also with {@link io.batpak.core.error.InvalidEventTypeException} (no valid
     *         annotation) or {@link io.batpak.core.error.EventTypeConflictException} (another class owns the kind)
     */
    public CompletionStage<AppendReceipt> appendTyped(Coordinate coordinate, Object event, AppendOptions options) {
        if (event == null) {
            return CompletableFuture.failedFuture(new InvalidAppendException("event must not be null"));
        }
        EventTypeRegistry.Registration type;
        try {
            type = config.eventTypes().register(event.getClass());
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        return appendEncoded(coordinate, type.kind(), event, type.version(), options);
    }

    /**
     * Appends an event caused by {@code cause}: the correlation id is inherited from it and the causation id is
     * its event id.
     */
    public CompletionStage<AppendReceipt> appendReaction(Coordinate coordinate, EventKind kind, Object payload,
                                                         StoredEvent cause) {
        if (cause == null) {
            return CompletableFuture.failedFuture(new InvalidAppendException("cause must not be null"));
        }
        return append(coordinate, kind, payload, AppendOptions.builder().correlationId(cause.correlationId())
                .causationId(cause.eventId()).build());
    }

    CompletionStage<AppendReceipt> appendEncoded(Coordinate coordinate, EventKind kind, Object payload,
                                                 int payloadVersion, AppendOptions options) {
        byte[] bytes;
        try {
            bytes = validate(coordinate, kind, payload, options, -1);
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        StoreException refused = rt.admit(1, "append");
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        CompletableFuture<AppendReceipt> reply = new CompletableFuture<>();
        CompletableFuture<AppendReceipt> out = new CompletableFuture<>();
        // The append leaves the in-flight count before the caller sees its outcome, so a caller that waited for
        // its appends finds the queue free again.
        reply.whenComplete((r, e) -> {
            rt.release(1);
            if (e != null) {
                out.completeExceptionally(e);
            } else {
                out.complete(r);
            }
        });
        rt.partitionFor(coordinate.entity()).tell(new EntityPartition.Append(coordinate, kind, bytes, payloadVersion,
                options, reply));
        return out.minimalCompletionStage();
    }

    private byte[] validate(Coordinate coordinate, EventKind kind, Object payload, AppendOptions options, int item) {
        String where = item < 0 ? "" : "batch item " + item + ": ";
        if (coordinate == null) {
            throw new InvalidAppendException(where + "coordinate must not be null");
        }
        if (kind == null) {
            throw new InvalidAppendException(where + "kind must not be null");
        }
        if (kind.isReserved()) {
            throw new ReservedKindException(kind);
        }
        if (payload == null) {
            throw new InvalidAppendException(where + "payload must not be null (use an empty byte[] for none)");
        }
        if (options == null) {
            throw new InvalidAppendException(where + "options must not be null (use AppendOptions.DEFAULT)");
        }
        // A caller's byte[] is copied here, on the calling thread, like an object payload is encoded here: the
        // event is built later on a partition, and must not see the caller reusing its buffer after the call.
        byte[] bytes = payload instanceof byte[] raw ? raw.clone() : config.codec().encode(payload);
        if (bytes.length > config.maxPayloadBytes()) {
            throw new PayloadTooLargeException(bytes.length, config.maxPayloadBytes());
        }
        return bytes;
    }

    /**
     * Appends several events atomically, across any entities, each with its own options. Either every item is
     * stored (contiguous global sequences in list order, one force, visible at once) or none is; after a crash
     * in the middle none of it is visible. Items on one entity chain in list order. Expected sequences are
     * checked per item against the entity's head including earlier items of the batch. If every item carries an
     * idempotency key already stored with the same content, the original receipts are returned; if only some do,
     * the batch fails with {@link io.batpak.core.error.IdempotencyConflictException}.
     *
     * @return receipts in item order
     */
    public CompletionStage<List<AppendReceipt>> appendBatch(List<AppendRequest> requests) {
        List<EntityPartition.BatchItem> items;
        try {
            items = validateBatch(requests);
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        StoreException refused = rt.admit(items.size(), "batch append");
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        CompletableFuture<List<AppendReceipt>> out = new CompletableFuture<>();
        new BatchAppender(rt, items).run().whenComplete((r, e) -> rt.replyExecutor.execute(() -> {
            rt.release(items.size());
            if (e != null) {
                out.completeExceptionally(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
            } else {
                out.complete(r);
            }
        }));
        return out.minimalCompletionStage();
    }

    private List<EntityPartition.BatchItem> validateBatch(List<AppendRequest> requests) {
        if (requests == null || requests.isEmpty()) {
            throw new InvalidAppendException("a batch needs at least one item");
        }
        if (requests.size() > config.maxBatchItems()) {
            throw new InvalidAppendException("a batch of " + requests.size() + " items exceeds batpak.max-batch-items ("
                    + config.maxBatchItems() + ")");
        }
        List<EntityPartition.BatchItem> items = new ArrayList<>(requests.size());
        Set<IdempotencyKey> keys = new HashSet<>();
        long frameBytes = 0;
        for (int i = 0; i < requests.size(); i++) {
            AppendRequest r = requests.get(i);
            if (r == null) {
                throw new InvalidAppendException("batch item " + i + " is null");
            }
            byte[] bytes = validate(r.coordinate(), r.kind(), r.payload(), r.options(), i);
            IdempotencyKey key = r.options().idempotencyKey();
            if (key != null && !keys.add(key)) {
                throw new InvalidAppendException("batch item " + i + " reuses idempotency key " + key
                        + " of an earlier item");
            }
            int payloadVersion = 0;
            if (r.typed()) {
                EventTypeRegistry.Registration type = config.eventTypes().register(r.payload().getClass());
                if (!type.kind().equals(r.kind())) {
                    throw new InvalidAppendException("batch item " + i + ": typed payload " + type.type().getName()
                            + " is event kind " + type.kind() + ", the request names kind " + r.kind());
                }
                payloadVersion = type.version();
            }
            frameBytes += FrameLayout.frameSize(r.coordinate().entity().getBytes(StandardCharsets.UTF_8).length,
                    r.coordinate().scope().getBytes(StandardCharsets.UTF_8).length, bytes.length);
            items.add(new EntityPartition.BatchItem(i, r.coordinate(), r.kind(), bytes, payloadVersion, r.options()));
        }
        long capacity = config.segmentMaxBytes() - SegmentHeader.LENGTH;
        if (frameBytes > capacity) {
            throw new InvalidAppendException("a batch of " + frameBytes + " encoded bytes does not fit one segment ("
                    + capacity + " bytes, batpak.segment-max-bytes); split it");
        }
        return items;
    }

    /** The visible event with this id, or empty. */
    public Optional<StoredEvent> get(EventId eventId) {
        if (eventId == null) {
            throw new InvalidQueryException("eventId must not be null");
        }
        return core.get(eventId);
    }

    /**
     * Up to {@code max} visible events of {@code entity} from entity sequence {@code fromSequence} on, in order.
     *
     * @throws InvalidAppendException when {@code fromSequence} or {@code max} is negative
     */
    public List<StoredEvent> readEntity(String entity, long fromSequence, int max) {
        return core.readEntity(entity, fromSequence, max);
    }

    /**
     * Up to {@code limit} visible events in {@code region} with a global sequence strictly after
     * {@code afterGlobalSequence} ({@code -1} starts at the beginning), in commit order. Page by passing the last
     * global sequence returned; an empty page means there is nothing more (yet). Never returns an event that is
     * not yet visible, nor part of an atomic batch. Synchronous and thread-safe; never waits for the writer.
     *
     * @throws InvalidQueryException when the region is null, the position is below -1 or the limit negative
     */
    public List<StoredEvent> query(Region region, long afterGlobalSequence, int limit) {
        return core.query(region, afterGlobalSequence, limit);
    }

    /** Like {@link #query}, answered from the in-memory index alone (no payload is read). */
    public List<IndexEntry> queryIndex(Region region, long afterGlobalSequence, int limit) {
        return core.queryIndex(region, afterGlobalSequence, limit);
    }

    /** Events of exactly this scope, paged like {@link #query}. */
    public List<StoredEvent> byScope(String scope, long afterGlobalSequence, int limit) {
        return query(Region.scope(scope), afterGlobalSequence, limit);
    }

    /** Events of exactly this kind, paged like {@link #query}. */
    public List<StoredEvent> byKind(EventKind kind, long afterGlobalSequence, int limit) {
        return query(Region.all().withKind(kind), afterGlobalSequence, limit);
    }

    /**
     * The entity registry ("list all streams"): names of entities with visible events in name order; with a
     * {@code prefix}, only that entity and its namespace ({@code prefix:...}). Page by passing the last name
     * returned as {@code afterEntity} (null for the first page).
     */
    public List<String> entities(String prefix, String afterEntity, int limit) {
        return core.entities(prefix, afterEntity, limit);
    }

    /**
     * The visible events of {@code entity} of {@code type}'s kind, from entity sequence {@code fromSequence} on,
     * at most {@code max}, decoded as {@code type} (an {@link EventType} class, registered on first use). Events of
     * other kinds are skipped. Events stored with an older payload version are upcast; see
     * {@link StoredEvent#payloadAs(Class)} for the errors of a typed read, which this method throws.
     *
     * @throws io.batpak.core.error.InvalidEventTypeException when {@code type} has no valid {@link EventType} annotation
     * @throws InvalidQueryException when {@code type} is null or {@code fromSequence} or {@code max} is negative
     */
    public <T> List<T> readTyped(String entity, long fromSequence, int max, Class<T> type) {
        if (type == null) {
            throw new InvalidQueryException("type must not be null");
        }
        EventTypeRegistry.Registration registration = config.eventTypes().register(type);
        List<StoredEvent> events = core.readEntity(entity, fromSequence, max, registration.kind());
        List<T> out = new ArrayList<>(events.size());
        for (StoredEvent e : events) {
            out.add(e.payloadAs(type));
        }
        return out;
    }

    /** The global sequence of the last visible event, -1 when the store is empty. */
    public long lastGlobalSequence() {
        return core.lastGlobalSequence();
    }

    /**
     * The event with this id and its ancestors in its entity (newest first, at most {@code limit}), following and
     * checking each prevHash link; see {@link StoreCore#walkAncestors}.
     *
     * @throws io.batpak.core.error.ChainBrokenException at the first event that fails a check
     */
    public List<StoredEvent> walkAncestors(EventId eventId, int limit) {
        return core.walkAncestors(eventId, limit);
    }

    /**
     * Verifies every event visible at the start of the call (CRC32C, BLAKE3 eventHash, global and entity sequences,
     * prevHash links, index), reporting the first break with file, offset and event; see {@link StoreCore#verify}.
     * Appends continue meanwhile.
     */
    public VerifyReport verify() {
        return core.verify();
    }

    /** Verifies one entity's visible events; see {@link StoreCore#verifyEntity}. */
    public VerifyReport verifyEntity(String entity) {
        return core.verifyEntity(entity);
    }

    /**
     * Checks a receipt against the stored event and, when signed, its signature against the configured keys; see
     * {@link ReceiptVerification} for the outcomes.
     */
    public ReceiptVerification verifyReceipt(AppendReceipt receipt) {
        return core.verifyReceipt(receipt);
    }

    /** The receipt of a stored event, as its append returned it (signed when the store signs receipts). */
    public AppendReceipt receiptOf(StoredEvent event) {
        if (event == null) {
            throw new InvalidAppendException("event must not be null");
        }
        return core.receiptOf(event);
    }

    /** Current counters. */
    public StoreStats stats() {
        JournalWriter j = rt.journal;
        StoreRecovery.Report report = core.recovered().report();
        long groups = j.groupCommits();
        return new StoreStats(core.lastGlobalSequence() + 1, core.segments().totalBytes(), core.segments().count(),
                j.appends(), j.fsyncs(), groups, groups == 0 ? 0 : (double) j.appends() / groups, rt.inFlight(),
                j.failedAppends(), report.truncatedTailBytes(), report.repairDroppedBytes(), report.fromCheckpoint(),
                report.millis(), rt.failure() != null);
    }

    /**
     * Closes the store: refuses new appends ({@link io.batpak.core.error.StoreClosedException}), waits for appends in
     * flight (up to {@code batpak.close-timeout}), forces, writes the index checkpoint, stops the store's actors,
     * releases the directory lock and, if the store created its ActorSystem, terminates it. Idempotent.
     */
    public synchronized CompletionStage<Done> close() {
        if (closed != null) {
            return closed.minimalCompletionStage();
        }
        closed = new CompletableFuture<>();
        shutdownTask.cancel();
        long timeoutMillis = config.closeTimeout().toMillis();
        rt.beginClose().orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).handle((v, e) -> {
            if (e instanceof TimeoutException) {
                LOG.warn("close: {} appends still in flight after {} ms; closing anyway", rt.inFlight(), timeoutMillis);
            }
            return null;
        }).thenCompose(v -> {
            CompletableFuture<Void> stopped = new CompletableFuture<>();
            if (system.getWhenTerminated().toCompletableFuture().isDone()) {
                // Nothing runs the writer any more: close the journal here, on what it had committed.
                closeJournalOfATerminatedSystem(stopped);
            } else {
                rt.writer.tell(new WriterActor.Stop(stopped));
            }
            // Bounded in every case: a writer that cannot answer (its system went away meanwhile) must not keep
            // the directory locked forever.
            return stopped.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
        }).handle((v, e) -> closeFanout(e, timeoutMillis)).thenCompose(x -> x).whenComplete((v, e) -> {
            for (ActorRef<EntityPartition.Command> p : rt.partitions) {
                p.tell(EntityPartition.Stop.INSTANCE);
            }
            ref.tell(StoreCommand.Shutdown.INSTANCE);
            core.close();
            if (e != null) {
                LOG.error("close of {} did not finish cleanly", config.dataDir(), e);
            }
            if (ownsSystem) {
                system.terminate();
                system.getWhenTerminated().whenComplete((t, te) -> finishClose(e));
            } else {
                finishClose(e);
            }
        });
        return closed.minimalCompletionStage();
    }

    /**
     * Lets the fan-out deliver every event committed before the close and end the feed (live listeners complete
     * normally), then passes on the writer's stop error, if any.
     */
    private CompletableFuture<Void> closeFanout(Throwable writerError, long timeoutMillis) {
        Throwable error = writerError instanceof CompletionException && writerError.getCause() != null
                ? writerError.getCause() : writerError;
        CompletableFuture<Void> fanned = new CompletableFuture<>();
        if (system.getWhenTerminated().toCompletableFuture().isDone()) {
            fanned.complete(null); // no fan-out runs any more: its listeners went with the system
        } else {
            fanout.tell(new FanoutActor.Close(fanned));
        }
        return fanned.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).handle((f, fe) -> {
            if (fe != null) {
                LOG.warn("close: live fan-out did not finish: {}", fe.toString());
            }
            if (error != null) {
                throw new CompletionException(error);
            }
            return null;
        });
    }

    /**
     * Closes the journal from the closing thread, when the ActorSystem terminated before close() and took the
     * writer with it: nothing else touches the journal then. Forces what was committed; the checkpoint is left out
     * (the writer's thread state is gone), so the next open scans the tail.
     */
    private void closeJournalOfATerminatedSystem(CompletableFuture<Void> done) {
        try {
            rt.journal.close();
            done.complete(null);
        } catch (IOException | RuntimeException e) {
            done.completeExceptionally(e);
        }
    }

    private void finishClose(Throwable error) {
        if (error != null) {
            closed.completeExceptionally(error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error);
        } else {
            closed.complete(Done.getInstance());
        }
    }

    @Override
    public String toString() {
        return "BatpakStore[" + config.dataDir() + "]";
    }
}
