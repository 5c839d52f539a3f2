package io.batpak.streams;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Region;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.StoreOverloadedException;
import io.batpak.core.internal.cursor.CheckpointStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Pekko Streams over a {@link BatpakStore}: live subscriptions, checkpointed cursors, append flows and reactors.
 * Every method only builds a blueprint (nothing happens until it is run), except {@link #runReactor}. Sources and
 * flows can be materialized any number of times; each materialization is independent.
 */
public final class BatpakStreams {
    /** Checkpoint ids of reactors are this prefix followed by the reactor id. */
    public static final String REACTOR_CHECKPOINT_PREFIX = "reactor.";

    private BatpakStreams() {
    }

    // ---------------------------------------------------------------- subscriptions

    /** {@link #subscribe(BatpakStore, Region, SubscriptionSettings)} with the system's default settings. */
    public static Source<StoredEvent, Subscription> subscribe(BatpakStore store, Region region) {
        InvalidInputException.requireArgument(store, "store");
        return subscribe(store, region, SubscriptionSettings.create(store.system()));
    }

    /**
     * A live, lossy subscription: the events of {@code region} that become visible after the stream is
     * materialized, in global-sequence order, each at most once.
     *
     * <p><b>Delivery.</b> The store's fan-out filters by region before buffering (an unrelated event never enters
     * the buffer) and never waits for the consumer: when the buffer of {@link SubscriptionSettings#bufferSize()}
     * events is full (events handed over and not yet taken by the stream, which takes them a fan-out turn at a
     * time), an arriving event is dropped and counted ({@link OverflowPolicy#DROP_NEWEST}) or the stream
     * fails with {@link SubscriptionOverflowException} ({@link OverflowPolicy#FAIL}). Appends are never slowed.
     * For delivery without loss use {@link #cursor}.
     *
     * <p><b>End.</b> Completes when the store closes (after every event committed before the close was offered) or
     * the subscription is cancelled; fails with {@link io.batpak.core.error.StoreFailedException} when the store fails,
     * and with {@link io.batpak.core.error.CorruptStoreException} when a matching event fails its checks on read.
     */
    public static Source<StoredEvent, Subscription> subscribe(BatpakStore store, Region region,
                                                              SubscriptionSettings settings) {
        InvalidInputException.requireArgument(store, "store");
        InvalidInputException.requireArgument(region, "region");
        InvalidInputException.requireArgument(settings, "settings");
        // The fan-out hands over each turn's matching events as one batch (often one list shared by every
        // subscriber of the same events); the buffer counts events, and a batch leaves it when the stream takes it.
        return Source.<LiveSubscription.Batch>queue(settings.bufferSize())
                .watchTermination((queue, terminated) -> {
                    LiveSubscription s = new LiveSubscription(region, queue, settings);
                    terminated.whenComplete((d, e) -> s.streamStopped());
                    s.register(store.feed());
                    return (Subscription) s;
                })
                .mapConcat(LiveSubscription.Batch::take);
    }

    // ---------------------------------------------------------------- cursors

    /** {@link #cursor(BatpakStore, Region, CursorSettings)} from the beginning, with default settings. */
    public static Source<StoredEvent, CursorControl> cursor(BatpakStore store, Region region) {
        InvalidInputException.requireArgument(store, "store");
        return cursor(store, region, CursorSettings.create(store.system()));
    }

    /**
     * A guaranteed cursor: every event of {@code region} after its start position, in global-sequence order, each
     * exactly once per run. It reads the history from the index and then follows live appends, with no gap and no
     * duplicate at the switch. It reads {@link CursorSettings#batchSize()} events at a time, the next batch only once
     * downstream has taken the last, so a consumer that stops pulling holds at most one
     * batch whatever the history. Far behind the head on a dense region it catches up by reading the segment files
     * sequentially ({@link CursorSettings#withSequentialReadDensity}), with the same events and checks. New events
     * wake it through the store's fan-out as soon as they are visible.
     *
     * <p>With {@link CursorSettings#withCheckpointId} it resumes after the checkpoint's committed position and
     * {@link CursorControl#commit} advances it (see {@link CursorControl} for the at-least-once semantics). The
     * stream fails with {@link io.batpak.core.error.CheckpointRegionMismatchException} when the checkpoint was written for
     * another region, {@link io.batpak.core.error.CorruptCheckpointException} when it is damaged (never a silent restart
     * from zero), {@link io.batpak.core.error.CheckpointAheadOfStoreException} when it is beyond the store's last event,
     * and {@link io.batpak.core.error.CheckpointInUseException} when another running cursor of this process uses it.
     *
     * <p>Completes when the store closes, on {@link CursorControl#shutdown()}, or at the head with
     * {@link CursorSettings#withCompleteAtHead}; when the store has failed it fails with
     * {@link io.batpak.core.error.StoreFailedException} once it has emitted every stored event.
     */
    public static Source<StoredEvent, CursorControl> cursor(BatpakStore store, Region region, CursorSettings settings) {
        return cursorSource(store, region, settings, (e, control) -> e);
    }

    /**
     * A finite replay: the events of {@code region} after {@code afterGlobalSequence} ({@code -1}: from the first) up
     * to the last event visible at materialization, in global-sequence order, read sequentially from the segment
     * files ({@link io.batpak.core.StoreReader#replay}), then completes. Demand-driven: it reads only as fast as
     * downstream pulls, holding the run's read buffer and one event. File reads (large chunks) run on the store's I/O
     * dispatcher; frames already read are decoded and emitted on the stream's own thread. A damaged frame fails the
     * stream with {@link io.batpak.core.error.CorruptStoreException}; events before it were emitted. For a replay that goes
     * on live, with checkpoints, use {@link #cursor}.
     *
     * @throws InvalidInputException when {@code store} or {@code region} is null or the position is below -1
     */
    public static Source<StoredEvent, NotUsed> replay(BatpakStore store, Region region, long afterGlobalSequence) {
        InvalidInputException.requireArgument(store, "store");
        InvalidInputException.requireArgument(region, "region");
        if (afterGlobalSequence < -1) {
            throw new InvalidInputException("afterGlobalSequence", "must be >= -1, was " + afterGlobalSequence);
        }
        return Source.fromGraph(new ReplayStage(store, region, afterGlobalSequence, ioExecutor(store)));
    }

    /**
     * A cursor whose elements carry their offset, for commits with {@link Committer}. Needs a checkpoint id.
     *
     * @throws InvalidInputException when {@code settings} has no checkpoint id
     */
    public static Source<CommittableEvent, CursorControl> committableCursor(BatpakStore store, Region region,
                                                                           CursorSettings settings) {
        InvalidInputException.requireArgument(store, "store");
        InvalidInputException.requireArgument(region, "region");
        InvalidInputException.requireArgument(settings, "settings");
        if (settings.checkpointId().isEmpty()) {
            throw new InvalidInputException("settings",
                    "invalid argument settings: a committable cursor needs CursorSettings.withCheckpointId(id)");
        }
        return cursorSource(store, region, settings,
                (e, control) -> new CommittableEvent(e, new CommittableOffset(control, e.globalSequence())));
    }

    private static <T> Source<T, CursorControl> cursorSource(BatpakStore store, Region region,
                                                             CursorSettings settings,
                                                             java.util.function.BiFunction<StoredEvent, CursorStage<T>.Control, T> wrap) {
        InvalidInputException.requireArgument(store, "store");
        InvalidInputException.requireArgument(region, "region");
        InvalidInputException.requireArgument(settings, "settings");
        Executor io = ioExecutor(store);
        CheckpointStore files = settings.checkpointId().isPresent() ? new CheckpointStore(store.config().dataDir())
                : null;
        return Source.fromGraph(new CursorStage<T>(store, region, settings, files, io, wrap));
    }

    static Executor ioExecutor(BatpakStore store) {
        return store.system().dispatchers().lookup(DispatcherSelector.fromConfig(store.settings().ioDispatcher()));
    }

    // ---------------------------------------------------------------- appending

    /** {@link #appendFlow(BatpakStore, AppendSettings)} with the system's default settings. */
    public static Flow<AppendRequest, AppendReceipt, NotUsed> appendFlow(BatpakStore store) {
        InvalidInputException.requireArgument(store, "store");
        return appendFlow(store, AppendSettings.create(store.system()));
    }

    /** {@link #appendFlow(BatpakStore, AppendSettings)} with {@code parallelism} appends in flight. */
    public static Flow<AppendRequest, AppendReceipt, NotUsed> appendFlow(BatpakStore store, int parallelism) {
        InvalidInputException.requireArgument(store, "store");
        return appendFlow(store, AppendSettings.create(store.system()).withParallelism(parallelism));
    }

    /**
     * Appends each request and emits its receipt, in input order, once the event is durable and visible.
     *
     * <p>At most {@link AppendSettings#parallelism()} appends are in flight: the writer's pace backpressures the
     * upstream and nothing queues without bound. Requests are sent to the store in input order, so appends to one
     * entity are stored in input order; an append the store refuses as overloaded is retried after
     * {@link AppendSettings#overloadBackoff()} with every later request waiting behind it.
     *
     * <p>Any other failure fails the stream with the typed error (e.g.
     * {@link io.batpak.core.error.SequenceMismatchException}); appends already in flight may still be stored. Under a
     * resuming supervision strategy ({@code ActorAttributes.supervisionStrategy}) the failed element is dropped
     * instead; to see failures as elements use {@link #appendOutcomeFlow}.
     */
    public static Flow<AppendRequest, AppendReceipt, NotUsed> appendFlow(BatpakStore store, AppendSettings settings) {
        InvalidInputException.requireArgument(store, "store");
        InvalidInputException.requireArgument(settings, "settings");
        return Flow.<AppendRequest, AppendReceipt, NotUsed>fromMaterializer((materializer, attributes) -> {
                    OrderedAppender appender = new OrderedAppender(store, settings);
                    return Flow.<AppendRequest>create().mapAsync(settings.parallelism(), appender::append);
                })
                .mapMaterializedValue(m -> NotUsed.getInstance());
    }

    /**
     * Like {@link #appendFlow(BatpakStore, AppendSettings)} but never fails on an append error: each request
     * yields an {@link AppendOutcome}, {@code Appended} with the receipt or {@code Failed} with the typed error.
     */
    public static Flow<AppendRequest, AppendOutcome, NotUsed> appendOutcomeFlow(BatpakStore store,
                                                                               AppendSettings settings) {
        InvalidInputException.requireArgument(store, "store");
        InvalidInputException.requireArgument(settings, "settings");
        return Flow.<AppendRequest, AppendOutcome, NotUsed>fromMaterializer((materializer, attributes) -> {
                    OrderedAppender appender = new OrderedAppender(store, settings);
                    return Flow.<AppendRequest>create().mapAsync(settings.parallelism(),
                            r -> appender.append(r).handle((receipt, e) -> e == null
                                    ? new AppendOutcome.Appended(r, receipt)
                                    : new AppendOutcome.Failed(r, Futures.cause(e))));
                })
                .mapMaterializedValue(m -> NotUsed.getInstance());
    }

    /** {@link #appendOutcomeFlow(BatpakStore, AppendSettings)} with {@code parallelism} appends in flight. */
    public static Flow<AppendRequest, AppendOutcome, NotUsed> appendOutcomeFlow(BatpakStore store, int parallelism) {
        InvalidInputException.requireArgument(store, "store");
        return appendOutcomeFlow(store, AppendSettings.create(store.system()).withParallelism(parallelism));
    }

    /**
     * A sink appending every request as {@link #appendFlow(BatpakStore, AppendSettings)} does; its stage completes
     * when every append is durable, or fails with the first append's typed error.
     */
    public static Sink<AppendRequest, CompletionStage<Done>> appendSink(BatpakStore store) {
        InvalidInputException.requireArgument(store, "store");
        return appendFlow(store).toMat(Sink.ignore(), Keep.right());
    }

    /** {@link #appendSink(BatpakStore)} with explicit settings. */
    public static Sink<AppendRequest, CompletionStage<Done>> appendSink(BatpakStore store, AppendSettings settings) {
        return appendFlow(store, settings).toMat(Sink.ignore(), Keep.right());
    }

    // ---------------------------------------------------------------- reactors

    /** {@link #runReactor(BatpakStore, Region, Reactor, String, ReactorSettings)} with default settings. */
    public static ReactorControl runReactor(BatpakStore store, Region region, Reactor reactor, String reactorId) {
        InvalidInputException.requireArgument(store, "store");
        return runReactor(store, region, reactor, reactorId, ReactorSettings.create(store.system()));
    }

    /**
     * Starts a reactor in the store's ActorSystem: a committable cursor over {@code region} with checkpoint
     * {@code reactor.<reactorId>} feeds each event to {@code reactor}; its reactions are appended as one atomic
     * batch per source event, each with the source's correlation id, the source's event id as causation id and
     * an idempotency key derived from (reactorId, source event id, reaction index). The checkpoint is committed
     * (batched per {@link ReactorSettings#committer()}) only after the source event's reactions are durable.
     *
     * <p>So after a crash or restart the reactor resumes after its last commit and the events it replays produce
     * no duplicate reaction: every source event's reactions are stored exactly once (within the store's
     * {@code batpak.idempotency-window}, which the checkpoint lag must stay inside). The reactor must be
     * deterministic (see {@link Reactor}).
     *
     * <p>If {@code reactor} throws or an append fails, the reactor stops and {@link ReactorControl#done()} fails
     * with {@link ReactorException}; run it again to retry from its checkpoint. Stop reactors before closing the
     * store: reactions refused by a closing store also stop it with a {@link ReactorException}.
     *
     * @throws io.batpak.core.error.InvalidCheckpointIdException when {@code reactorId} is not a valid checkpoint id part
     */
    public static ReactorControl runReactor(BatpakStore store, Region region, Reactor reactor, String reactorId,
                                            ReactorSettings settings) {
        InvalidInputException.requireArgument(store, "store");
        InvalidInputException.requireArgument(region, "region");
        InvalidInputException.requireArgument(reactor, "reactor");
        InvalidInputException.requireArgument(reactorId, "reactorId");
        InvalidInputException.requireArgument(settings, "settings");
        String checkpointId = CheckpointStore.validateId(REACTOR_CHECKPOINT_PREFIX + reactorId);
        AppendSettings append = AppendSettings.create(store.system());
        Pair<CursorControl, CompletionStage<Done>> running =
                committableCursor(store, region, settings.cursor().withCheckpointId(checkpointId))
                        .mapAsync(settings.parallelism(), e -> react(store, reactorId, reactor, e, append))
                        .toMat(Committer.sink(settings.committer()), Keep.both())
                        .run(store.system());
        CursorControl cursor = running.first();
        CompletionStage<Done> done = running.second()
                .handle((d, e) -> e)
                .thenCompose(error -> cursor.whenStopped().thenCompose(s -> error == null
                        ? CompletableFuture.completedFuture(Done.getInstance())
                        : CompletableFuture.<Done>failedFuture(Futures.cause(error))));
        return new RunningReactor(reactorId, cursor, done);
    }

    private static CompletionStage<CommittableOffset> react(BatpakStore store, String reactorId, Reactor reactor,
                                                            CommittableEvent in, AppendSettings append) {
        StoredEvent source = in.event();
        List<Reaction> reactions;
        try {
            reactions = reactor.react(source);
        } catch (Exception | LinkageError e) {
            return CompletableFuture.failedFuture(new ReactorException(reactorId, source.globalSequence(), e));
        }
        if (reactions == null || reactions.isEmpty()) {
            return CompletableFuture.completedFuture(in.offset());
        }
        List<AppendRequest> requests = new ArrayList<>(reactions.size());
        for (int i = 0; i < reactions.size(); i++) {
            requests.add(reactions.get(i).toRequest(AppendOptions.builder()
                    .correlationId(source.correlationId())
                    .causationId(source.eventId())
                    .idempotencyKey(ReactorKeys.of(reactorId, source.eventId(), i))
                    .build()));
        }
        CompletableFuture<CommittableOffset> out = new CompletableFuture<>();
        appendReactions(store, requests, append, out, in.offset(), reactorId, source.globalSequence());
        return out;
    }

    private static void appendReactions(BatpakStore store, List<AppendRequest> requests, AppendSettings append,
                                        CompletableFuture<CommittableOffset> out, CommittableOffset offset,
                                        String reactorId, long sourceSequence) {
        store.appendBatch(requests).whenComplete((receipts, e) -> {
            Throwable cause = e == null ? null : Futures.cause(e);
            if (cause == null) {
                out.complete(offset);
            } else if (cause instanceof StoreOverloadedException) {
                CompletableFuture.delayedExecutor(append.overloadBackoff().toNanos(), TimeUnit.NANOSECONDS)
                        .execute(() -> appendReactions(store, requests, append, out, offset, reactorId,
                                sourceSequence));
            } else {
                out.completeExceptionally(new ReactorException(reactorId, sourceSequence, cause));
            }
        });
    }

    private record RunningReactor(String reactorId, CursorControl cursor, CompletionStage<Done> done)
            implements ReactorControl {
        @Override
        public CompletionStage<Done> stop() {
            cursor.shutdown();
            return done;
        }
    }
}
