package io.batpak.actors;

import com.typesafe.config.ConfigObject;
import io.batpak.actors.internal.ActorFaultHook;
import io.batpak.actors.internal.EntityPartition;
import io.batpak.actors.internal.Partitioning;
import io.batpak.actors.internal.StoreGuardian;
import io.batpak.actors.internal.StoreState;
import io.batpak.actors.internal.OutcomeReceiver;
import io.batpak.actors.internal.PendingAppend;
import io.batpak.actors.internal.SpinThenParkDispatcherConfigurator;
import io.batpak.actors.internal.WriterActor;
import io.batpak.core.AppendOptions;
import io.batpak.core.BackupReport;
import io.batpak.core.CompactionPlan;
import io.batpak.core.CompactionReport;
import io.batpak.core.ExportFormat;
import io.batpak.core.ExportReport;
import io.batpak.core.ImportRecord;
import io.batpak.core.ImportReport;
import io.batpak.core.ProgressListener;
import io.batpak.core.Region;
import io.batpak.core.RedactionRecord;
import io.batpak.core.RedactionReport;
import io.batpak.core.RedactionRequest;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EncodedEvent;
import io.batpak.core.EventKind;
import io.batpak.core.EventType;
import io.batpak.core.EventTypeRegistry;
import io.batpak.core.ForwardingStoreReader;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.IoFaultHook;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoreReader;
import io.batpak.core.StoreStats;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.BackupFailedException;
import io.batpak.core.error.InvalidAppendException;
import io.batpak.core.error.InvalidBackupDestinationException;
import io.batpak.core.error.InvalidConfigException;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.InvalidSubjectException;
import io.batpak.core.error.PayloadTooLargeException;
import io.batpak.core.error.ReservedKindException;
import io.batpak.core.error.StoreException;
import io.batpak.core.error.StoreFailedException;
import io.batpak.core.error.StoreTimeoutException;
import io.batpak.core.internal.exchange.ExportReader;
import io.batpak.core.internal.exchange.ExportWriter;
import io.batpak.core.internal.exchange.ExportedEvent;
import io.batpak.core.internal.journal.Compactor;
import io.batpak.core.internal.journal.JournalWriter;
import io.batpak.core.internal.journal.RedactionTargets;
import io.batpak.core.internal.journal.StoreBackup;
import io.batpak.core.internal.journal.StoreCore;
import io.batpak.core.internal.recovery.StoreRecovery;
import io.batpak.core.internal.segment.FrameLayout;
import io.batpak.core.internal.segment.SegmentHeader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
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
 * Errors are reported by failing the returned stage with a typed {@link StoreException} whose
 * {@link StoreException#category() category} says what to do: bad input ({@link InvalidInputException} and its
 * subclasses), conditions ({@link io.batpak.core.error.SequenceMismatchException},
 * {@link io.batpak.core.error.IdempotencyConflictException}, {@link io.batpak.core.error.GateDeniedException}), load
 * ({@link io.batpak.core.error.StoreOverloadedException}), I/O ({@link io.batpak.core.error.StoreWriteException},
 * {@link io.batpak.core.error.StoreFailedException}), time ({@link StoreTimeoutException}) and lifecycle
 * ({@link io.batpak.core.error.StoreClosedException}). A failed append stored nothing, except where the exception
 * says its outcome is unknown.
 *
 * <h2>Where completions run</h2>
 * After a small commit (at most {@code batpak.writer-replies-up-to} appends, the low-load case) the writer completes
 * the stages itself, so a thread blocked in {@code join} or {@code get} wakes straight from the commit; larger
 * commits are completed on the default dispatcher. Either way a callback attached to an append's stage (or to its
 * {@code toCompletableFuture()} copy) without an executor never runs on the writer's thread: there it is handed
 * to the default dispatcher, so it may block. A callback attached with an explicit executor runs on it; with a
 * direct one ({@code Runnable::run}) a short, non-blocking callback runs on the completing thread and saves a
 * hand-off, but must never block. Futures that {@code CompletableFuture.allOf} or {@code anyOf} build over these
 * stages are plain ones: attach to them with an {@code ...Async} method when the callback may block. The stage is
 * settled by the store alone: completing or cancelling it throws {@link UnsupportedOperationException}.
 *
 * <h2>Typed events and gates</h2>
 * {@link #appendTyped} stores an object of an {@link EventType} class under its class's kind with its schema
 * version; {@link #readTyped} and {@link StoredEvent#payloadAs(Class)} read it back, upcasting events stored with
 * an older version ({@link io.batpak.core.Upcaster}). Configured {@link io.batpak.core.Gate}s are evaluated before
 * every append is committed; a denial fails it with {@link io.batpak.core.error.GateDeniedException}.
 *
 * <h2>Reads</h2>
 * Every read of {@link StoreReader} (documented there once, with {@link io.batpak.core.ReadOnlyStore}) is
 * synchronous, thread-safe and never waits for the writer; it sees exactly the durable, visible events.
 *
 * <h2>Actors</h2>
 * The store runs as one tree of actors under a guardian (writer, entity partitions, fan-out, front door), which
 * watches them all: if any stops unexpectedly the store becomes failed (appends fail with
 * {@link io.batpak.core.error.StoreFailedException}, reads keep working, close still completes). {@link #ref()} is
 * the typed protocol for actor callers. Runtime settings come from the ActorSystem's configuration
 * ({@link RuntimeSettings}); {@link BatpakStores} opens stores from it.
 *
 * <h2>Lifecycle</h2>
 * {@link #open} locks the directory ({@link io.batpak.core.error.StoreLockedException} if another store holds it)
 * and recovers it. {@link #closeAsync} stops accepting appends, waits for those in flight, forces, writes the index
 * checkpoint and releases the lock; {@link #close} does the same and waits for it. The store also closes itself in
 * its ActorSystem's CoordinatedShutdown. All methods are thread-safe.
 */
public final class BatpakStore extends ForwardingStoreReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatpakStore.class);
    private static final AtomicLong STORE_IDS = new AtomicLong();
    /** Runs a task on the calling thread. */
    private static final Executor DIRECT = Runnable::run;

    private final StoreConfig config;
    private final RuntimeSettings settings;
    private final StoreCore core;
    private final StoreState state;
    private final ActorSystem<?> system;
    private final boolean ownsSystem;
    private final ActorRef<StoreGuardian.Command> guardian;
    private final CompletableFuture<Void> guardianStopped = new CompletableFuture<>();
    private final ActorRef<StoreCommand> ref;
    private final List<ActorRef<EntityPartition.Command>> partitions;
    private final ActorRef<WriterActor.Command> writer;
    private final JournalWriter journal;
    private volatile CompletableFuture<Done> closed;
    /** Set when the store begins to close: compactions stop after their current segment. */
    private volatile boolean lifecycleStopping;
    private final Set<CompletableFuture<?>> lifecycleOps = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** One import at a time: its check that an id is new and the append of that id must not interleave with another. */
    private final java.util.concurrent.Semaphore importLock = new java.util.concurrent.Semaphore(1);
    /** Most imported events in one atomic batch. */
    private static final int IMPORT_BATCH = 256;
    /** The close registered with the system's CoordinatedShutdown; cancelled when close is called first. */
    private final Cancellable shutdownTask;
    /** Appends are checked for their timeout this many times per {@code batpak.append-timeout}. */
    private static final int TIMEOUT_CHECKS_PER_PERIOD = 10;
    private final Cancellable timeoutSweep;

    private BatpakStore(StoreConfig config, RuntimeSettings settings, StoreCore core, JournalWriter journal,
                        ActorSystem<?> system, boolean ownsSystem, ActorFaultHook faults) {
        super(core);
        this.config = config;
        this.settings = settings;
        this.core = core;
        this.system = system;
        this.ownsSystem = ownsSystem;
        long id = STORE_IDS.incrementAndGet();
        Executor io = system.dispatchers().lookup(DispatcherSelector.fromConfig(settings.ioDispatcher()));
        this.state = new StoreState(core, journal, settings, system.executionContext(), io, faults);
        this.guardian = system.systemActorOf(StoreGuardian.create(state, this, config.partitions(), guardianStopped),
                "batpak-store-" + id, org.apache.pekko.actor.typed.Props.empty());
        StoreGuardian.Children children;
        try {
            children = AskPattern.<StoreGuardian.Command, StoreGuardian.Children>ask(guardian,
                    StoreGuardian.GetChildren::new, settings.startTimeout(), system.scheduler())
                    .toCompletableFuture().get(settings.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while the store's actors started", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new StoreException("the store's actors did not start within " + settings.startTimeout().toMillis()
                    + " ms (batpak.start-timeout): " + e, e);
        }
        this.ref = children.frontDoor();
        this.partitions = children.partitions();
        this.writer = children.writer();
        this.journal = journal;
        // A system that terminates (or a JVM that exits) before close was called still closes the store while
        // its actors run: in the last phase before the system terminates, after the services that used it stopped.
        this.shutdownTask = CoordinatedShutdown.get(system).addCancellableTask(
                CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "batpak-store-close-" + id, this::closeAsync);
        Duration every = settings.appendTimeout().dividedBy(TIMEOUT_CHECKS_PER_PERIOD);
        this.timeoutSweep = system.scheduler().scheduleWithFixedDelay(every, every, this::sweepTimeouts,
                system.executionContext());
    }

    /**
     * Opens (creating if needed) the store in {@code config.dataDir()} with an ActorSystem of its own, which
     * {@link #close()} terminates. Runtime settings are those of {@link RuntimeSettings#defaults()}.
     *
     * @throws io.batpak.core.error.StoreLockedException when another open store holds the directory
     * @throws io.batpak.core.error.CorruptStoreException when stored data is damaged and repair is off
     * @throws io.batpak.core.error.UnsupportedFormatException when a file has a newer format version
     */
    public static BatpakStore open(StoreConfig config) {
        InvalidInputException.requireArgument(config, "config");
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "batpak");
        try {
            return start(config, RuntimeSettings.fromConfig(system.settings().config()), system, true,
                    ActorFaultHook.NONE);
        } catch (RuntimeException e) {
            system.terminate();
            throw e;
        }
    }

    /**
     * Opens the store inside the caller's ActorSystem (its actors are system actors there), with the runtime
     * settings of that system's configuration. {@link #close()} stops them but leaves the system running.
     */
    public static BatpakStore open(StoreConfig config, ActorSystem<?> system) {
        InvalidInputException.requireArgument(system, "system");
        return open(config, system, RuntimeSettings.fromConfig(system.settings().config()));
    }

    /** {@link #open(StoreConfig, ActorSystem)} with explicit runtime settings. */
    public static BatpakStore open(StoreConfig config, ActorSystem<?> system, RuntimeSettings settings) {
        InvalidInputException.requireArgument(config, "config");
        InvalidInputException.requireArgument(system, "system");
        InvalidInputException.requireArgument(settings, "settings");
        return start(config, settings, system, false, ActorFaultHook.NONE);
    }

    /** Opens with a fault hook in the store's actors, for tests of their failure. */
    static BatpakStore openWithFaults(StoreConfig config, ActorSystem<?> system, ActorFaultHook faults) {
        return start(config, RuntimeSettings.fromConfig(system.settings().config()), system, false, faults);
    }

    private static BatpakStore start(StoreConfig config, RuntimeSettings settings, ActorSystem<?> system,
                                     boolean owns, ActorFaultHook faults) {
        // Checked before anything is acquired, so a wrong dispatcher fails the open with nothing to undo.
        requireDispatcher(system, "batpak.writer-dispatcher", settings.writerDispatcher());
        requireDispatcher(system, "batpak.io-dispatcher", settings.ioDispatcher());
        requireDispatcher(system, "batpak.fanout-dispatcher", settings.fanoutDispatcher());
        StoreCore core = StoreCore.open(config);
        JournalWriter journal;
        try {
            journal = new JournalWriter(core);
        } catch (IOException | RuntimeException e) {
            core.close();
            throw e instanceof StoreException se ? se
                    : new StoreException("cannot open the active segment in " + config.dataDir() + ": " + e.getMessage(), e);
        }
        try {
            return new BatpakStore(config, settings, core, journal, system, owns, faults);
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
        if (system.settings().config().getValue(path) instanceof ConfigObject o) {
            SpinThenParkDispatcherConfigurator.spinBeforePark(o.toConfig(), path);
        }
    }

    /** The runtime settings the store's actors run with. */
    public RuntimeSettings settings() {
        return settings;
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
        return state.feed;
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
     * with {@link io.batpak.core.error.IdempotencyConflictException}. Tags ({@link AppendOptions#tags()}) are stored
     * with the event and indexed. An {@link AppendOptions#condition() append condition} is checked by the writer as
     * the event is sequenced; when it fails, nothing is stored and the stage fails with
     * {@link io.batpak.core.error.AppendConditionFailedException}. While a conditional append is checked, later
     * appends to the same entity wait for its verdict.
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
        EncodedEvent encoded;
        try {
            encoded = encode(event);
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        return appendEncoded(coordinate, encoded.kind(), encoded, encoded.payloadVersion(), options);
    }

    /**
     * Encodes an object of an {@link EventType} class as the store would store it (kind and payload version from
     * the class, registered on first use; payload with the configured Jackson CBOR mapper), for example to send it
     * as plain data with {@link StoreCommand.Append#of}.
     *
     * @throws InvalidAppendException when {@code event} is null
     * @throws io.batpak.core.error.InvalidEventTypeException when its class has no valid annotation
     * @throws io.batpak.core.error.PayloadEncodingException when it cannot be encoded
     */
    public EncodedEvent encode(Object event) {
        if (event == null) {
            throw new InvalidAppendException("event must not be null");
        }
        EventTypeRegistry.Registration type = config.eventTypes().register(event.getClass());
        return new EncodedEvent(type.kind(), type.version(), config.codec().encode(event));
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

    /**
     * Appends an already encoded payload stored with {@code payloadVersion} (0 for untyped), as the actor protocol
     * sends it; otherwise as {@link #append(Coordinate, EventKind, Object, AppendOptions)}.
     */
    public CompletionStage<AppendReceipt> appendEncoded(Coordinate coordinate, EventKind kind, Object payload,
                                                 int payloadVersion, AppendOptions options) {
        byte[] bytes;
        try {
            bytes = validate(coordinate, kind, payload, options, -1);
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (payload instanceof EncodedEvent encoded) {
            payloadVersion = encoded.payloadVersion();
        }
        int version = payloadVersion;
        ActorRef<EntityPartition.Command> partition = partitions.get(Partitioning.index(coordinate.entity(),
                partitions.size()));
        StoreException noKey = missingSubjectKey(options);
        if (noKey != null) {
            return CompletableFuture.failedFuture(noKey);
        }
        return await(1, "append", partition, replyTo -> new EntityPartition.Append(coordinate, kind, bytes,
                version, options, replyTo), receipts -> receipts.get(0));
    }

    /**
     * Makes sure every subject the options name has a durable key; returns why not, or null. A missing key is
     * created here, on the calling thread, so that appends reach their partition in the order they were made (the
     * append flow's per-entity order rests on it); it happens once per subject and costs one small forced write.
     */
    private StoreException missingSubjectKey(AppendOptions options) {
        String subject = options.subject();
        if (subject != null && core.subjectKeys().find(subject) == null) {
            try {
                core.subjectKeys().ensure(subject);
            } catch (StoreException e) {
                return e;
            }
        }
        return null;
    }

    /**
     * Destroys the key of data subject {@code subject} (GDPR art. 17 erasure by crypto-shredding). From the moment
     * this stage completes, every payload appended with {@link AppendOptions#subject(String) AppendOptions.subject}
     * {@code (subject)} reads as erased ({@link StoredEvent#payloadRedacted()} true, empty payload, and
     * {@link StoredEvent#payloadAs} fails with {@link io.batpak.core.error.PayloadUnavailableException}) in this store
     * and in every backup or export of it, since none of them holds the key. Headers, digests and the hash chain
     * are unchanged, so {@code verify()} still passes. The key file is overwritten, forced, deleted and its
     * directory forced before the stage completes (blocking I/O runs on the I/O dispatcher). An append naming the
     * subject that races with the forget is ordered before it (its payload is as unreadable); a later append of the
     * same subject starts a new key.
     *
     * @return whether the subject had a key
     * @throws io.batpak.core.error.InvalidSubjectException (as a failed stage) for an invalid subject id
     * @throws io.batpak.core.error.SubjectKeyStoreException (as a failed stage) when the key file cannot be
     *         destroyed; the key stays usable and the call may be retried (once its file was overwritten, the next
     *         open of the store finishes the destruction)
     */
    public CompletionStage<Boolean> forgetSubject(String subject) {
        StoreException refused;
        try {
            InvalidSubjectException.requireValid(subject);
            refused = state.unavailable("forget subject");
        } catch (StoreException e) {
            refused = e;
        }
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        CompletableFuture<Boolean> out = new CompletableFuture<>();
        state.ioExecutor.execute(() -> {
            try {
                out.complete(core.subjectKeys().forget(subject));
            } catch (RuntimeException e) {
                out.completeExceptionally(e);
            }
        });
        return out;
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
        byte[] bytes;
        if (payload instanceof byte[] raw) {
            bytes = raw.clone();
        } else if (payload instanceof EncodedEvent encoded) {
            if (!encoded.kind().equals(kind)) {
                throw new InvalidAppendException(where + "the encoded event is of kind " + encoded.kind()
                        + ", the append names kind " + kind);
            }
            bytes = encoded.payload().clone();
        } else {
            bytes = config.codec().encode(payload);
        }
        if (bytes.length > config.maxPayloadBytes()) {
            throw new PayloadTooLargeException(bytes.length, config.maxPayloadBytes());
        }
        return bytes;
    }

    /**
     * Appends several events atomically, across any entities, each with its own options. Either every item is
     * stored (contiguous global sequences in list order, one force, visible at once) or none is; after a crash
     * in the middle none of it is visible. Items on one entity chain in list order. Expected sequences are
     * checked per item against the entity's head including earlier items of the batch. An item's append condition
     * counts the batch's earlier items as well as everything sequenced before the batch; if any item's condition
     * fails, nothing of the batch is stored. If every item carries an
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
        for (EntityPartition.BatchItem item : items) {
            StoreException noKey = missingSubjectKey(item.options());
            if (noKey != null) {
                return CompletableFuture.failedFuture(noKey);
            }
        }
        return await(items.size(), "batch append", guardian, replyTo -> new StoreGuardian.RunBatch(items, replyTo),
                receipts -> receipts);
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
            int payloadVersion = r.payload() instanceof EncodedEvent encoded ? encoded.payloadVersion() : 0;
            if (r.typed()) {
                EventTypeRegistry.Registration type = config.eventTypes().register(r.payload().getClass());
                if (!type.kind().equals(r.kind())) {
                    throw new InvalidAppendException("batch item " + i + ": typed payload " + type.type().getName()
                            + " is event kind " + type.kind() + ", the request names kind " + r.kind());
                }
                payloadVersion = type.version();
            }
            int tagBytes = 0;
            for (String t : r.options().tags()) {
                tagBytes += FrameLayout.TAG_LENGTH_PREFIX + t.getBytes(StandardCharsets.UTF_8).length;
            }
            frameBytes += FrameLayout.frameSize(r.coordinate().entity().getBytes(StandardCharsets.UTF_8).length,
                    r.coordinate().scope().getBytes(StandardCharsets.UTF_8).length, tagBytes, bytes.length);
            items.add(new EntityPartition.BatchItem(i, r.coordinate(), r.kind(), bytes, payloadVersion, r.options()));
        }
        long capacity = config.segmentMaxBytes() - SegmentHeader.LENGTH;
        if (frameBytes > capacity) {
            throw new InvalidAppendException("a batch of " + frameBytes + " encoded bytes does not fit one segment ("
                    + capacity + " bytes, batpak.segment-max-bytes); split it");
        }
        return items;
    }

    /**
     * Admits {@code n} appends, sends the message {@code send} builds to its target with a reply ref, and maps the
     * outcome; the stage fails with the outcome's error, with {@link StoreTimeoutException} after
     * {@code batpak.append-timeout}, or at once with {@link io.batpak.core.error.StoreFailedException} when the store
     * fails meanwhile. The appends leave the in-flight count before the caller sees the outcome, so a caller that
     * waited for its appends finds the queue free again.
     */
    private <C, T> CompletionStage<T> await(int n, String what, ActorRef<C> target,
                                            Function<OutcomeReceiver, C> send,
                                            Function<List<AppendReceipt>, T> result) {
        StoreException refused = state.admit(n, what);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        // Settled by the outcome (completed on the thread delivering it), the timeout sweep or the store's failure.
        PendingAppend<T> pending = new PendingAppend<>(state, n, what, settings.appendTimeout(), result);
        target.tell(send.apply(pending));
        return pending.stage();
    }

    /** Fails appends past {@code batpak.append-timeout}; after close, stops once none is left. */
    private void sweepTimeouts() {
        state.expireOverdue();
        CompletableFuture<Done> c = closed;
        if (c != null && c.isDone() && state.pendingCount() == 0 && timeoutSweep != null) {
            timeoutSweep.cancel();
        }
    }

    /**
     * Makes a consistent point-in-time copy of the store in {@code destination} while appends, reads and streams go
     * on: every event visible when the backup takes its snapshot (after a force, at a commit boundary, so no atomic
     * batch is cut), the index checkpoint and idempotency keys of exactly those events, and the cursor checkpoints.
     * Sealed segments are hard-linked where the file system allows (they never change), the rest is copied. The copy
     * is written into a hidden sibling directory and renamed to {@code destination} only when complete, so a failed
     * or interrupted backup (a full disk, kill -9) never leaves a directory there. The copy opens as a normal store
     * and verifies. Data of other modules kept under the store directory (Pekko snapshots, projections) is not
     * included. The copying runs on the I/O dispatcher.
     *
     * @param destination a directory that does not exist yet or is empty, outside the store's directory, not a
     *                    symbolic link, whose parent exists
     * @return completes with what was copied; fails with {@link InvalidBackupDestinationException}
     *         before anything is written, {@link BackupFailedException} when copying failed,
     *         {@link io.batpak.core.error.StoreFailedException} or {@link io.batpak.core.error.StoreClosedException}
     */
    public CompletionStage<BackupReport> backup(Path destination) {
        return backup(destination, ProgressListener.NONE);
    }

    /**
     * {@link #backup(Path)}, telling {@code progress} how many segments are copied or linked (on the I/O
     * dispatcher's thread).
     */
    public CompletionStage<BackupReport> backup(Path destination, ProgressListener progress) {
        if (progress == null) {
            return CompletableFuture.failedFuture(InvalidInputException.missing("progress"));
        }
        Path dest;
        try {
            dest = checkBackupDestination(destination);
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        Executor ioExecutor = system.dispatchers().lookup(DispatcherSelector.fromConfig(settings.ioDispatcher()));
        Path partial = StoreBackup.partialDirectory(dest,
                UUID.randomUUID().toString());
        IoFaultHook hook = config.ioFaultHook();
        AtomicBoolean held = new AtomicBoolean();
        return CompletableFuture.runAsync(() -> {
                    acquireLifecycle("backup", held);
                    try {
                        Files.createDirectories(partial);
                        StoreBackup.copyCursorCheckpoints(config.dataDir(), partial, hook);
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                }, ioExecutor)
                .thenCompose(v -> AskPattern.<WriterActor.Command,
                        WriterActor.SnapshotTaken>ask(writer,
                        WriterActor.TakeSnapshot::new, settings.appendTimeout(),
                        system.scheduler()))
                .thenApplyAsync(taken -> {
                    if (taken.error() != null) {
                        throw new CompletionException(taken.error());
                    }
                    try {
                        StoreBackup.Result r = journal.writeBackup(taken.snapshot(), partial, progress);
                        StoreBackup.publish(partial, dest, hook);
                        return new BackupReport(dest, r.events(), r.segmentsLinked(),
                                r.segmentsCopied(), r.bytesCopied());
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                }, ioExecutor)
                .handle((report, e) -> {
                    releaseLifecycle(held);
                    if (e == null) {
                        return report;
                    }
                    StoreBackup.discard(partial);
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    throw new CompletionException(cause instanceof StoreException se ? se
                            : new BackupFailedException(dest, cause));
                });
    }

    /**
     * Takes the store's lifecycle permit (one backup, compaction or index checkpoint at a time), waiting for the one
     * running; records in {@code held} that it was taken.
     */
    private void acquireLifecycle(String what, AtomicBoolean held) {
        StoreException refused = state.unavailable(what);
        if (refused != null || lifecycleStopping) {
            throw new CompletionException(refused != null ? refused
                    : new io.batpak.core.error.StoreClosedException(what));
        }
        try {
            core.lifecycle().acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(new StoreException("interrupted while waiting to start the " + what, e));
        }
        held.set(true);
        if (lifecycleStopping) {
            releaseLifecycle(held);
            throw new CompletionException(new io.batpak.core.error.StoreClosedException(what));
        }
    }

    private void releaseLifecycle(AtomicBoolean held) {
        if (held.compareAndSet(true, false)) {
            core.lifecycle().release();
        }
    }

    /**
     * Compacts the store while appends, reads, subscriptions and cursors go on: seals the active segment (so everything
     * committed before the call is covered), then rewrites each sealed segment the plan changes, one at a time, erasing
     * the payload bytes of redacted events and removing the events the plan's rules select (see
     * {@link CompactionPlan}). Global and entity sequences are never renumbered or reused.
     *
     * <p>What readers see: an event is there until its segment's rewrite is swapped in, then gone; a read never sees a
     * half-swapped segment set. A query or cursor skips removed events (a cursor resumes at the next surviving event;
     * {@link StoreReader#removedThrough(long)} reports the removed range after a checkpoint). The idempotency key of a
     * removed event is forgotten: a retry with it appends anew. Each entity keeps a verifiable chain: the removal of
     * its oldest events leaves an anchor that {@code verify()} checks its surviving events from.
     *
     * <p>Crash safety: a kill at any step leaves a store that opens, verifies and holds every event the plan keeps
     * (each segment is either the old file or its complete, forced rewrite). Runs on the I/O dispatcher; waits for a
     * running backup or compaction first. The index checkpoint is removed by the first rewrite (the next close writes
     * a new one).
     *
     * @return completes with what was done; fails with {@link io.batpak.core.error.CompactionFailedException} when a
     *         rewrite could not be written or swapped in (that segment is unchanged, earlier ones stay compacted),
     *         {@link io.batpak.core.error.CorruptStoreException} when a sealed segment fails its checks,
     *         {@link io.batpak.core.error.StoreClosedException} when the store closes meanwhile, or
     *         {@link io.batpak.core.error.StoreFailedException}
     */
    public CompletionStage<CompactionReport> compact(CompactionPlan plan) {
        return compact(plan, ProgressListener.NONE);
    }

    /**
     * {@link #compact(CompactionPlan)}, telling {@code progress} how many sealed segments are done (on the I/O
     * dispatcher's thread).
     */
    public CompletionStage<CompactionReport> compact(CompactionPlan plan, ProgressListener progress) {
        if (plan == null || progress == null) {
            return CompletableFuture.failedFuture(InvalidInputException.missing(plan == null ? "plan" : "progress"));
        }
        StoreException refused = state.unavailable("compaction");
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        return runCompaction(plan, progress);
    }

    private CompletableFuture<CompactionReport> runCompaction(CompactionPlan plan, ProgressListener progress) {
        Executor ioExecutor = state.ioExecutor;
        AtomicBoolean held = new AtomicBoolean();
        CompletableFuture<CompactionReport> out = CompletableFuture
                .runAsync(() -> acquireLifecycle("compaction", held), ioExecutor)
                .thenCompose(v -> AskPattern.<WriterActor.Command, WriterActor.Sealed>ask(writer,
                        WriterActor.SealActive::new, settings.appendTimeout(), system.scheduler()))
                .thenApplyAsync(sealed -> {
                    if (sealed.error() != null) {
                        throw new CompletionException(sealed.error());
                    }
                    return new Compactor(core, plan, () -> lifecycleStopping, progress).run(sealed.sealedSegments());
                }, ioExecutor)
                .handle((report, e) -> {
                    releaseLifecycle(held);
                    if (e != null) {
                        throw e instanceof CompletionException ce ? ce : new CompletionException(e);
                    }
                    return report;
                });
        trackLifecycle(out);
        return out;
    }

    private void trackLifecycle(CompletableFuture<?> op) {
        lifecycleOps.add(op);
        op.whenComplete((r, e) -> lifecycleOps.remove(op));
    }

    /**
     * Redacts payloads: the events the request names (as visible now) lose their payloads and keep their headers,
     * digests and places in their chains, so {@code verify()} still passes. The redaction is recorded durably first,
     * as {@link EventKind#SYSTEM_REDACTION} events ({@link RedactionRecord}, no payload data in them) in one atomic
     * batch on the entity {@value RedactionRecord#ENTITY}; from then on, also after a crash or a reopen, a read of a
     * redacted event returns it marked {@link StoredEvent#payloadRedacted() redacted}, with no payload, and so do
     * queries, cursors and subscriptions. The payload bytes stay in their segment files until the next compaction
     * erases them, or before this call completes with {@link RedactionRequest#withEraseNow()}. Backups and exports
     * taken earlier still hold them (see {@code docs/ERASURE.md}).
     *
     * @return completes with the events redacted and the records written; fails with the append's errors (for the
     *         records) or a compaction's (with erase-now: the redaction itself is then already recorded)
     */
    public CompletionStage<RedactionReport> redact(RedactionRequest request) {
        return redact(request, ProgressListener.NONE);
    }

    /**
     * {@link #redact(RedactionRequest)}, telling {@code progress} how far the erasing compaction of
     * {@link RedactionRequest#withEraseNow()} has come (on the I/O dispatcher's thread).
     */
    public CompletionStage<RedactionReport> redact(RedactionRequest request, ProgressListener progress) {
        if (request == null || progress == null) {
            return CompletableFuture.failedFuture(InvalidInputException.missing(request == null ? "request"
                    : "progress"));
        }
        StoreException refused = state.unavailable("redaction");
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        CompletableFuture<RedactionReport> out = CompletableFuture
                .supplyAsync(() -> RedactionTargets.resolve(core, request), state.ioExecutor)
                .thenCompose(targets -> recordRedaction(request, targets).thenCompose(report ->
                        // Erase-now also erases what an earlier (or interrupted) redaction of these events left.
                        !request.eraseNow() || (report.redacted().isEmpty() && targets.alreadyRedacted() == 0)
                                ? CompletableFuture.completedFuture(report)
                                : runCompaction(CompactionPlan.ERASE_ONLY, progress).thenApply(c -> new RedactionReport(
                                        report.redacted(), report.notFound(), report.records(), true))));
        trackLifecycle(out);
        return out;
    }

    private CompletionStage<RedactionReport> recordRedaction(RedactionRequest request, RedactionTargets targets) {
        if (targets.globalSequences().length == 0) {
            return CompletableFuture.completedFuture(new RedactionReport(List.of(), targets.notFound(), List.of(),
                    false));
        }
        List<List<EntityPartition.BatchItem>> batches;
        try {
            batches = redactionBatches(request, targets.eventIds());
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        List<io.batpak.core.EventId> records = new ArrayList<>();
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        for (List<EntityPartition.BatchItem> batch : batches) {
            chain = chain.thenCompose(v -> await(batch.size(), "redaction record", guardian,
                    replyTo -> new StoreGuardian.RunBatch(batch, replyTo), receipts -> {
                        for (AppendReceipt r : receipts) {
                            records.add(r.eventId());
                        }
                        return null;
                    }));
        }
        return chain.thenApply(v -> {
            core.redactions().add(targets.globalSequences());
            return new RedactionReport(targets.eventIds(), targets.notFound(), records, false);
        });
    }

    /**
     * The redaction records of {@code ids}: each record as large as a payload may be, each batch of records within
     * half a segment (and the batch item limit), so that every batch commits atomically.
     */
    private List<List<EntityPartition.BatchItem>> redactionBatches(RedactionRequest request,
                                                                   List<io.batpak.core.EventId> ids) {
        Coordinate at = Coordinate.of(RedactionRecord.ENTITY, RedactionRecord.SCOPE);
        long capacity = (config.segmentMaxBytes() - SegmentHeader.LENGTH) / 2;
        long budget = Math.min(config.maxPayloadBytes(), capacity - FrameLayout.frameSize(
                RedactionRecord.ENTITY.length(), RedactionRecord.SCOPE.length(), 0, 0));
        // The fixed part of a record (reason, target) and one id, to size the records.
        int fixed = config.codec().encode(new RedactionRecord(request.reason(), request.target(), List.of())).length;
        int perId = ids.get(0).toString().length() + 2;
        int idsPerRecord = (int) Math.max(1, Math.min(RedactionRecord.MAX_EVENTS, (budget - fixed) / perId));
        if (budget - fixed < perId) {
            throw new InvalidConfigException("batpak.max-payload-bytes", "a redaction record of this reason does not"
                    + " fit a payload of " + config.maxPayloadBytes() + " bytes in a segment of "
                    + config.segmentMaxBytes() + " bytes");
        }
        List<List<EntityPartition.BatchItem>> batches = new ArrayList<>();
        List<EntityPartition.BatchItem> batch = new ArrayList<>();
        long batchBytes = 0;
        for (int from = 0; from < ids.size(); from += idsPerRecord) {
            List<String> chunk = new ArrayList<>();
            for (io.batpak.core.EventId id : ids.subList(from, Math.min(ids.size(), from + idsPerRecord))) {
                chunk.add(id.toString());
            }
            byte[] bytes = config.codec().encode(new RedactionRecord(request.reason(), request.target(), chunk));
            long frame = FrameLayout.frameSize(RedactionRecord.ENTITY.length(), RedactionRecord.SCOPE.length(), 0,
                    bytes.length);
            if (!batch.isEmpty() && (batchBytes + frame > capacity || batch.size() == config.maxBatchItems())) {
                batches.add(batch);
                batch = new ArrayList<>();
                batchBytes = 0;
            }
            batch.add(new EntityPartition.BatchItem(batch.size(), at, EventKind.SYSTEM_REDACTION, bytes, 0,
                    AppendOptions.DEFAULT));
            batchBytes += frame;
        }
        batches.add(batch);
        return batches;
    }

    /**
     * Exports the events of {@code region}, as visible when the export starts (appends go on meanwhile), to
     * {@code file} in {@code format} ({@link ExportFormat}): streaming, with memory bounded by one page of the index and
     * one event. Every header field, the tags, the hashes and the payload of each event are written; a payload sealed
     * for a data subject is written as its envelope (so a forgotten subject stays unreadable in the export, and the
     * subject's key is never exported), a redacted payload not at all. The header records this store's id as the
     * source. The file is written under a hidden name beside {@code file} and published only when complete; an export
     * never replaces a file. Runs on the I/O dispatcher.
     *
     * @return completes with what was written; fails with {@link InvalidInputException} when an argument is null,
     *         {@code file} exists or its directory does not, {@link StoreException} when writing fails (no file is left)
     */
    public CompletionStage<ExportReport> export(Region region, Path file, ExportFormat format) {
        return export(region, file, format, ProgressListener.NONE);
    }

    /**
     * {@link #export(Region, Path, ExportFormat)}, telling {@code progress} how far through the store's global
     * sequences it has come (on the I/O dispatcher's thread).
     */
    public CompletionStage<ExportReport> export(Region region, Path file, ExportFormat format,
                                                ProgressListener progress) {
        if (region == null || file == null || format == null || progress == null) {
            return CompletableFuture.failedFuture(InvalidInputException.missing(region == null ? "region"
                    : file == null ? "file" : format == null ? "format" : "progress"));
        }
        StoreException refused = state.unavailable("export");
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        CompletableFuture<ExportReport> out = CompletableFuture.supplyAsync(() -> {
            try {
                return ExportWriter.write(core, region, file, format, config.ioFaultHook(), progress);
            } catch (IOException e) {
                throw new CompletionException(new StoreException("export to " + file
                        + " failed, nothing was created there: " + e, e));
            }
        }, state.ioExecutor);
        trackLifecycle(out);
        return out;
    }

    /**
     * Imports an export file ({@link #export}, either format, recognised by its first bytes) into this store. The
     * whole file is checked first (every event's fields against its hash, the payloads against their digests, the
     * trailer's count and digest); a truncated, damaged or foreign file fails with
     * {@link io.batpak.core.error.InvalidExportFileException} and nothing is imported.
     *
     * <p>Then the events are appended in file order, in atomic batches, each with an {@link ImportRecord}
     * ({@link EventKind#SYSTEM_IMPORT}) recording their provenance: the source store's id, and per event its id,
     * global and entity sequence, timestamp and hash there. An imported event keeps its id, correlation and causation
     * ids, kind, flags, payload version, tags and payload (a sealed payload stays sealed: it reads in this store when
     * the subject's key file is in its key directory, and reads as erased otherwise); its entity and global sequences,
     * timestamp and hashes are this store's. Events this store already holds (by id) are skipped, so re-importing a
     * file, or re-running an import after a crash, adds nothing twice. Events whose payload was redacted in the source
     * and store records (reserved kinds) are skipped and counted. Gates apply as to any append. One import runs at a
     * time; on the I/O dispatcher.
     *
     * @return completes with the counts; fails with {@link io.batpak.core.error.InvalidExportFileException}, or with
     *         an append's error (batches appended before it stay; re-running the import completes it)
     */
    public CompletionStage<ImportReport> importFrom(Path file) {
        return importFrom(file, ProgressListener.NONE);
    }

    /**
     * {@link #importFrom(Path)}, telling {@code progress} how many events are checked (phase "checking", total
     * unknown), then how many of them are imported or skipped (phase "importing"), on the I/O dispatcher's thread.
     */
    public CompletionStage<ImportReport> importFrom(Path file, ProgressListener progress) {
        if (file == null || progress == null) {
            return CompletableFuture.failedFuture(InvalidInputException.missing(file == null ? "file" : "progress"));
        }
        StoreException refused = state.unavailable("import");
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        CompletableFuture<ImportReport> out = CompletableFuture.supplyAsync(() -> {
            try {
                long checked = 0;
                try (ExportReader check = ExportReader.open(file, config.maxPayloadBytes())) {
                    // every event is checked before anything is appended
                    while (check.next() != null) {
                        if (++checked % IMPORT_BATCH == 0) {
                            progress.progressed("checking", checked, 0, "events");
                        }
                    }
                }
                progress.progressed("checking", checked, checked, "events");
                importLock.acquire();
                try {
                    return runImport(file, checked, progress);
                } finally {
                    importLock.release();
                }
            } catch (IOException e) {
                throw new CompletionException(new StoreException("cannot read " + file + ": " + e, e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(new StoreException("import of " + file + " interrupted", e));
            }
        }, state.ioExecutor);
        trackLifecycle(out);
        return out;
    }

    private ImportReport runImport(Path file, long total, ProgressListener progress) throws IOException {
        long imported = 0;
        long present = 0;
        long redacted = 0;
        long records = 0;
        long batches = 0;
        // Each batch fits one payload (its import record) and half a segment.
        int perRecord = 256; // an import record's bytes per event, generously
        int maxEvents = (int) Math.max(1, Math.min(Math.min(IMPORT_BATCH, config.maxBatchItems() - 1),
                (config.maxPayloadBytes() - 1024L) / perRecord));
        long capacity = (config.segmentMaxBytes() - SegmentHeader.LENGTH) / 2 - config.maxPayloadBytes();
        try (ExportReader r = ExportReader.open(file, config.maxPayloadBytes())) {
            List<ExportedEvent> batch = new ArrayList<>();
            Set<io.batpak.core.EventId> inBatch = new HashSet<>();
            long bytes = 0;
            long seen = 0;
            progress.progressed("importing", 0, total, "events");
            for (ExportedEvent e = r.next(); ; e = r.next()) {
                boolean last = e == null;
                if (!last && ++seen % IMPORT_BATCH == 0) {
                    progress.progressed("importing", seen, total, "events");
                }
                if (!last) {
                    if (e.kind().isReserved()) {
                        records++;
                        continue;
                    }
                    if (e.redacted()) {
                        redacted++;
                        continue;
                    }
                    if (core.index().find(e.eventId().msb(), e.eventId().lsb()) >= 0 || !inBatch.add(e.eventId())) {
                        present++;
                        continue;
                    }
                }
                long size = 0;
                if (!last) {
                    int tagBytes = 0;
                    for (String t : e.tags()) {
                        tagBytes += FrameLayout.TAG_LENGTH_PREFIX + t.getBytes(StandardCharsets.UTF_8).length;
                    }
                    size = FrameLayout.frameSize(e.coordinate().entityBytes().length,
                            e.coordinate().scopeBytes().length, tagBytes, e.payload().length);
                }
                if (!batch.isEmpty() && (last || batch.size() == maxEvents || bytes + size > capacity)) {
                    appendImported(r.storeId(), batch);
                    imported += batch.size();
                    batches++;
                    batch.clear();
                    inBatch.clear();
                    bytes = 0;
                    if (!last) {
                        inBatch.add(e.eventId());
                    }
                }
                if (last) {
                    break;
                }
                batch.add(e);
                bytes += size;
            }
            progress.progressed("importing", total, total, "events");
            return new ImportReport(r.storeId(), r.format(), imported, present, redacted, records, batches);
        }
    }

    /** Appends one batch of imported events with its provenance record, and waits for it. */
    private void appendImported(String sourceStoreId, List<ExportedEvent> events) {
        List<EntityPartition.BatchItem> items = new ArrayList<>(events.size() + 1);
        List<ImportRecord.Source> sources = new ArrayList<>(events.size());
        java.util.HexFormat hex = java.util.HexFormat.of();
        for (ExportedEvent e : events) {
            AppendOptions.Builder o = AppendOptions.builder().flags(e.flags()).tags(e.tags());
            if (e.correlationId() != null) {
                o.correlationId(e.correlationId());
            }
            if (e.causationId() != null) {
                o.causationId(e.causationId());
            }
            items.add(new EntityPartition.BatchItem(items.size(), e.coordinate(), e.kind(), e.payload(),
                    e.payloadVersion(), o.build(), e.eventId(), e.sealed()));
            sources.add(new ImportRecord.Source(e.eventId().toString(), e.sourceGlobalSequence(),
                    e.sourceEntitySequence(), e.sourceTimestampMicros(), hex.formatHex(e.sourceEventHash())));
        }
        byte[] record = config.codec().encode(new ImportRecord(sourceStoreId, sources));
        items.add(new EntityPartition.BatchItem(items.size(), Coordinate.of(ImportRecord.ENTITY, ImportRecord.SCOPE),
                EventKind.SYSTEM_IMPORT, record, 0, AppendOptions.DEFAULT));
        // Bounded: the append's own stage fails after batpak.append-timeout.
        await(items.size(), "import", guardian, replyTo -> new StoreGuardian.RunBatch(items, replyTo),
                receipts -> receipts).toCompletableFuture().join();
    }

    private Path checkBackupDestination(Path destination) {
        InvalidInputException.requireArgument(destination, "destination");
        Path dest = destination.toAbsolutePath().normalize();
        Path parent = dest.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new InvalidBackupDestinationException(destination,
                    "its parent directory does not exist");
        }
        if (Files.isSymbolicLink(dest)) {
            throw new InvalidBackupDestinationException(destination, "it is a symbolic link");
        }
        try {
            Path store = config.dataDir().toRealPath();
            Path realParent = parent.toRealPath();
            if (realParent.resolve(dest.getFileName()).startsWith(store)) {
                throw new InvalidBackupDestinationException(destination,
                        "it is inside the store's directory " + store);
            }
            if (Files.exists(dest)) {
                if (!Files.isDirectory(dest)) {
                    throw new InvalidBackupDestinationException(destination,
                            "it exists and is not a directory");
                }
                try (Stream<Path> entries = Files.list(dest)) {
                    if (entries.findAny().isPresent()) {
                        throw new InvalidBackupDestinationException(destination,
                                "it is not empty");
                    }
                }
            }
            return realParent.resolve(dest.getFileName());
        } catch (IOException e) {
            throw new InvalidBackupDestinationException(destination, "cannot be checked: " + e);
        }
    }

    /** Current counters. */
    public StoreStats stats() {
        JournalWriter j = state.journal;
        StoreRecovery.Report report = core.recovered().report();
        long groups = j.groupCommits();
        return new StoreStats(core.lastGlobalSequence() + 1, core.segments().totalBytes(), core.segments().count(),
                j.appends(), j.fsyncs(), groups, groups == 0 ? 0 : (double) j.appends() / groups, state.inFlight(),
                j.failedAppends(), report.truncatedTailBytes(), report.repairDroppedBytes(), report.fromCheckpoint(),
                report.millis(), report.scannedFrames(), j.checkpoints(), state.failure() != null);
    }

    /**
     * Closes the store: refuses new appends ({@link io.batpak.core.error.StoreClosedException}), waits for appends in
     * flight (up to {@code batpak.close-timeout}), forces, writes the index checkpoint, stops the store's actors,
     * releases the directory lock and, if the store created its ActorSystem, terminates it. Completes in bounded
     * time in every case (also when the ActorSystem already terminated, or the store failed). Idempotent.
     */
    public synchronized CompletionStage<Done> closeAsync() {
        if (closed != null) {
            return closed.minimalCompletionStage();
        }
        closed = new CompletableFuture<>();
        shutdownTask.cancel();
        long timeoutMillis = settings.closeTimeout().toMillis();
        // A running compaction stops after its current segment; the close waits for it (bounded) so that nothing
        // rewrites a file once the journal is closed.
        lifecycleStopping = true;
        CompletableFuture<Void> lifecycleIdle = CompletableFuture.allOf(lifecycleOps.toArray(CompletableFuture[]::new))
                .handle((v, e) -> (Void) null).orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .exceptionally(e -> {
                    LOG.warn("close: a compaction or backup still runs after {} ms; closing anyway", timeoutMillis);
                    return null;
                });
        lifecycleIdle.thenCompose(x -> state.beginClose()).orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).handle((v, e) -> {
            if (e instanceof TimeoutException) {
                LOG.warn("close: {} appends still in flight after {} ms; closing anyway", state.inFlight(), timeoutMillis);
            }
            return null;
        }).thenCompose(v -> closeActors(timeoutMillis)).whenComplete((error, e) -> {
            core.close();
            Throwable problem = error != null ? error : e;
            if (problem != null) {
                LOG.error("close of {} did not finish cleanly", config.dataDir(), problem);
            }
            if (ownsSystem) {
                system.terminate();
                system.getWhenTerminated().whenComplete((t, te) -> finishClose(problem));
            } else {
                finishClose(problem);
            }
        });
        return closed.minimalCompletionStage();
    }

    /**
     * Closes the store and waits until it is closed (at most about twice {@code batpak.close-timeout}).
     *
     * @throws StoreException when the close did not finish cleanly (the lock is released all the same)
     */
    @Override
    public void close() {
        long waitMillis = 2 * settings.closeTimeout().toMillis() + settings.startTimeout().toMillis();
        try {
            closeAsync().toCompletableFuture().get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while closing " + config.dataDir(), e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof StoreException se ? se
                    : new StoreException("close of " + config.dataDir() + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new StoreException("close of " + config.dataDir() + " did not finish within " + waitMillis + " ms", e);
        }
    }

    /**
     * Asks the guardian to close the actors in order; bounded. When the system is gone (or the guardian is), the
     * journal is closed here on what it had committed: nothing else touches it then. The result is the first
     * problem met, or null.
     */
    private CompletableFuture<Throwable> closeActors(long timeoutMillis) {
        if (system.getWhenTerminated().toCompletableFuture().isDone() || guardianStopped.isDone()) {
            return CompletableFuture.completedFuture(closeJournalHere());
        }
        return AskPattern.<StoreGuardian.Command, StoreGuardian.Closed>ask(guardian, StoreGuardian.Close::new,
                        Duration.ofMillis(timeoutMillis), system.scheduler()).toCompletableFuture()
                .handleAsync((c, e) -> {
                    if (e != null) {
                        // The guardian did not answer (its system is terminating, or the writer hangs): the
                        // directory must not stay locked.
                        LOG.warn("close: the store's actors did not stop within {} ms: {}", timeoutMillis, e.toString());
                        Throwable j = closeJournalHere();
                        return j != null ? j : e;
                    }
                    return c.error();
                }, DIRECT);
    }

    private Throwable closeJournalHere() {
        if (!state.claimJournalClose()) {
            return null;
        }
        try {
            state.journal.discardStaged();
            state.journal.close();
            return null;
        } catch (IOException | RuntimeException e) {
            return e;
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
