package io.batpak.streams;

import io.batpak.actors.BatpakStore;
import io.batpak.actors.StoreFeed;
import io.batpak.core.Region;
import io.batpak.core.RemovedRange;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.internal.cursor.CheckpointStore;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cursor source. It reads the region a batch at a time and starts the next read as soon as it has emitted the
 * last event it held (before downstream pulls again), only while what it holds and what the read may add fit in one
 * batch, so it holds at most one batch. Reads run on the store's I/O dispatcher. When a
 * read finds nothing new it parks on {@link StoreFeed#wakeAfter} until the visible head moves past what it has
 * scanned, so live events arrive as soon as the fan-out sees the commit, with no polling.
 *
 * <p>Catch-up and live are one loop over pages: each page starts strictly after the last emitted global sequence,
 * so the switch from history to live has no gap and no duplicate. A page comes from the index ({@code query}), or,
 * while the cursor is at least a page behind the head on a dense region ({@link CursorSettings#sequentialReadDensity}),
 * from a sequential run over the segment files ({@code replay}) that ends at the head seen when it began; after it
 * the cursor goes back to index pages. Both hand out the same events in the same order.
 */
final class CursorStage<T> extends AbstractGraphStageWithMaterializedValue<SourceShape<T>, CursorControl> {
    private static final Logger LOG = LoggerFactory.getLogger(CursorStage.class);
    private static final java.lang.invoke.VarHandle POSITION;
    private static final java.lang.invoke.VarHandle BUFFERED;

    static {
        try {
            java.lang.invoke.MethodHandles.Lookup lookup = java.lang.invoke.MethodHandles.lookup();
            POSITION = lookup.findVarHandle(CursorStage.Control.class, "position", long.class);
            BUFFERED = lookup.findVarHandle(CursorStage.Control.class, "buffered", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private final Outlet<T> out = Outlet.create("BatpakCursor.out");
    private final SourceShape<T> shape = SourceShape.of(out);
    private final BatpakStore store;
    private final Region region;
    private final CursorSettings settings;
    /** Where checkpoints live, or null for a cursor without checkpoint. */
    private final CheckpointStore files;
    private final Executor io;
    private final BiFunction<StoredEvent, Control, T> wrap;

    CursorStage(BatpakStore store, Region region, CursorSettings settings, CheckpointStore files, Executor io,
                BiFunction<StoredEvent, Control, T> wrap) {
        this.store = store;
        this.region = region;
        this.settings = settings;
        this.files = files;
        this.io = io;
        this.wrap = wrap;
    }

    /** The most events the cursor ever held at once (an internal counter for tests). */
    static int peakBuffered(CursorControl control) {
        return ((CursorStage<?>.Control) control).peakBuffered;
    }

    /** Events the cursor read so far, from the index or sequentially (an internal counter for tests). */
    static long eventsRead(CursorControl control) {
        return ((CursorStage<?>.Control) control).read;
    }

    /** Events the cursor read from sequential runs over the segment files (an internal counter for tests). */
    static long eventsReadSequentially(CursorControl control) {
        return ((CursorStage<?>.Control) control).readSequentially;
    }

    @Override
    public SourceShape<T> shape() {
        return shape;
    }

    /** The outcome of one read, handed back to the stage. */
    private record Read(boolean init, long start, long stopAt, long head, List<StoredEvent> events, boolean sequential,
                        Throwable error) {
    }

    @Override
    public Pair<GraphStageLogic, CursorControl> createLogicAndMaterializedValuePair(Attributes attributes) {
        // One checkpointer per materialization: the blueprint may run many times.
        Control control = new Control(files == null ? null
                : new Checkpointer(files, settings.checkpointId().orElseThrow(), region.identity(), io));
        Logic logic = new Logic(control);
        control.logic = logic;
        return Pair.create(logic, control);
    }

    private final class Logic extends GraphStageLogic {
        private final Control control;
        private final Checkpointer checkpointer;
        private final ArrayDeque<StoredEvent> buffer = new ArrayDeque<>();
        private final SequentialCatchUp sequential = new SequentialCatchUp();
        private final StoreFeed feed = store.feed();
        private final AsyncCallback<Read> readDone;
        private final AsyncCallback<Done> woken;
        final AsyncCallback<Done> shutdown;
        private boolean initialized;
        private boolean reading;
        private boolean waiting;
        /** Every matching event up to here has been read (and buffered or emitted). */
        private long scanned = -1;
        private long stopAt = Long.MAX_VALUE;

        Logic(Control control) {
            super(shape);
            this.control = control;
            this.checkpointer = control.checkpointer;
            this.readDone = createAsyncCallback(this::onRead);
            this.woken = createAsyncCallback(d -> onWake());
            this.shutdown = createAsyncCallback(d -> completeStage());
            setHandler(out, new AbstractOutHandler() {
                @Override
                public void onPull() {
                    if (!buffer.isEmpty()) {
                        emit();
                    } else if (initialized && caughtUpForGood()) {
                        completeStage();
                    } else if (!reading && !waiting) {
                        startRead();
                    }
                }
            });
        }

        /**
         * Events one read asks for: a whole batch. Smaller reads would overlap reading and emitting more, but each
         * read through the I/O executor costs two thread hand-offs, which on a busy machine outweigh the overlap.
         */
        private int readSize() {
            return settings.batchSize();
        }

        /** Starts the next read when none runs or waits, it fits beside what is held, and more may come. */
        private void readAhead() {
            if (initialized && !reading && !waiting && buffer.size() <= settings.batchSize() - readSize()
                    && !caughtUpForGood()) {
                startRead();
            }
        }

        private boolean caughtUpForGood() {
            return settings.completeAtHead() && Math.max(control.position, scanned) >= stopAt;
        }

        private void emit() {
            StoredEvent e = buffer.poll();
            control.publish(e.globalSequence(), buffer.size());
            push(out, wrap.apply(e, control));
            if (buffer.isEmpty() && caughtUpForGood()) {
                completeStage();
            } else {
                readAhead();
            }
        }

        private void startRead() {
            boolean init = !initialized;
            long from = Math.max(control.position, scanned);
            if (!init) {
                // A sequential run's frames already in memory are decoded here; only file reads go to the I/O pool.
                List<StoredEvent> page;
                try {
                    page = sequential.takeBuffered(from, readSize());
                } catch (RuntimeException e) {
                    onRead(new Read(false, from, Long.MAX_VALUE, -1, List.of(), false, e));
                    return;
                }
                if (page != null && !page.isEmpty()) {
                    onRead(new Read(false, from, Long.MAX_VALUE, -1, page, true, null));
                    return;
                }
            }
            reading = true;
            CompletableFuture.runAsync(() -> readDone.invoke(read(init, from)), io);
        }

        /** Runs on the I/O executor. */
        private Read read(boolean init, long from) {
            long start = from;
            long stop = Long.MAX_VALUE;
            try {
                if (init) {
                    long head = feed.visibleSequence();
                    start = settings.startAfter();
                    if (checkpointer != null) {
                        OptionalLong saved;
                        try {
                            saved = checkpointer.start(head);
                        } finally {
                            // Claimed, or failed (in use, corrupt, ...) without a claim: either way a stop that
                            // came during the load must release, or whenStopped() would never complete.
                            control.startSettled = true;
                            if (control.stopped) {
                                checkpointer.release();
                            }
                        }
                        if (saved.isPresent()) {
                            start = saved.getAsLong();
                        }
                    }
                    stop = head;
                    // Resuming from a position (a checkpoint, startAfter): say what it can no longer deliver.
                    long removedTo = start < 0 ? start : store.removedThrough(start);
                    if (removedTo > start) {
                        control.removedOnResume = new RemovedRange(start + 1, removedTo);
                        LOG.info("cursor {} on {} starts after {}: events {}..{} were removed by compaction and are"
                                        + " not delivered", settings.checkpointId().orElse("(no checkpoint)"),
                                region.identity(), start, start + 1, removedTo);
                    }
                }
                long head = feed.visibleSequence();
                int batch = readSize();
                List<StoredEvent> events = sequential.take(start, batch);
                if (events != null) {
                    // A short page: the run reached its end, and everything up to there was scanned.
                    return new Read(init, start, stop, events.size() < batch ? sequential.endedAt() : head, events,
                            true, null);
                }
                events = store.query(region, start, batch);
                maybeGoSequential(start, head, events);
                return new Read(init, start, stop, head, events, false, null);
            } catch (RuntimeException e) {
                return new Read(init, start, stop, -1, List.of(), false, e);
            }
        }

        /**
         * After a full index page: reads on sequentially when the page was dense (its events at least the configured
         * share of the global sequences it spans) and another page is waiting behind the head.
         */
        private void maybeGoSequential(long start, long head, List<StoredEvent> page) {
            double density = settings.sequentialReadDensity();
            int batch = readSize();
            if (density <= 0 || page.size() < batch) {
                return;
            }
            long last = page.get(batch - 1).globalSequence();
            if (batch >= density * (last - start) && head - last >= batch) {
                sequential.open(store.replay(region, last));
            }
        }

        private void onRead(Read r) {
            reading = false;
            if (r.error() != null) {
                if (feed.ended() && feed.failure() == null) {
                    completeStage(); // the store closed under the read
                } else {
                    failStage(r.error());
                }
                return;
            }
            if (r.init()) {
                initialized = true;
                control.position = r.start();
                if (settings.completeAtHead()) {
                    stopAt = r.stopAt();
                }
            }
            List<StoredEvent> events = r.events();
            if (!events.isEmpty()) {
                long last = events.get(events.size() - 1).globalSequence();
                scanned = events.size() < readSize() ? Math.max(last, r.head()) : last;
                for (StoredEvent e : events) {
                    if (e.globalSequence() <= stopAt) {
                        buffer.add(e);
                    }
                }
                control.publish(control.position, buffer.size());
                control.peakBuffered = Math.max(control.peakBuffered, buffer.size());
                control.read += events.size();
                if (r.sequential()) {
                    control.readSequentially += events.size();
                }
                if (!buffer.isEmpty()) {
                    if (isAvailable(out)) {
                        emit();
                    } else {
                        readAhead();
                    }
                    return;
                }
            } else {
                scanned = Math.max(scanned, r.head());
            }
            if (!buffer.isEmpty()) {
                // Nothing new beyond what is still held: emit that, and read again once the head moves on (a
                // finished or closed cursor is settled by the emits and the pull after them).
                if (!caughtUpForGood() && !feed.ended()) {
                    park();
                }
                return;
            }
            if (caughtUpForGood()) {
                completeStage();
            } else if (feed.ended()) {
                if (feed.failure() != null) {
                    failStage(feed.failure());
                } else {
                    completeStage();
                }
            } else {
                park();
            }
        }

        /** Waits for the visible head to pass what was scanned. */
        private void park() {
            waiting = true;
            feed.wakeAfter(Math.max(control.position, scanned), () -> woken.invoke(Done.getInstance()));
        }

        private void onWake() {
            waiting = false;
            readAhead();
        }

        @Override
        public void postStop() {
            control.stopped = true;
            sequential.close();
            if (checkpointer == null) {
                control.stoppedFuture.complete(Done.getInstance());
                return;
            }
            if (control.startSettled) {
                checkpointer.release();
            }
            if (!initialized && !reading) {
                // Never started a read, so never claimed: nothing to wait for.
                checkpointer.release();
            }
            checkpointer.whenIdle().whenComplete((d, e) -> control.stoppedFuture.complete(Done.getInstance()));
        }
    }

    /** The materialized control; fields written by the stage, read by any thread. */
    final class Control implements CursorControl {
        volatile Logic logic;
        /** Written by the stage with release semantics only ({@link #publish}): a plain store per emitted event. */
        volatile long position = -1;
        volatile int buffered;
        /** Most events ever buffered at once (tests check it against the batch size). */
        volatile int peakBuffered;
        /** Events read so far. */
        volatile long read;
        /** Of those, events read by sequential runs. */
        volatile long readSequentially;
        /** The checkpoint load has finished: the checkpoint is claimed, or loading it failed. */
        volatile boolean startSettled;
        volatile boolean stopped;
        volatile RemovedRange removedOnResume;
        final CompletableFuture<Done> stoppedFuture = new CompletableFuture<>();
        final Checkpointer checkpointer;

        /** The stage's last emitted position and what it holds, for readers on any thread. */
        void publish(long emitted, int held) {
            POSITION.setRelease(this, emitted);
            BUFFERED.setRelease(this, held);
        }

        Control(Checkpointer checkpointer) {
            this.checkpointer = checkpointer;
            // A saved checkpoint decides where the cursor starts: report it from materialisation on (one small
            // file read), not only once the first read ran.
            java.util.OptionalLong saved = checkpointer == null ? java.util.OptionalLong.empty() : checkpointer.peek();
            this.position = saved.isPresent() ? saved.getAsLong() : settings.startAfter();
        }

        @Override
        public Optional<String> checkpointId() {
            return settings.checkpointId();
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public long committed() {
            return checkpointer == null ? -1 : checkpointer.committed();
        }

        @Override
        public int buffered() {
            return buffered;
        }

        @Override
        public Optional<RemovedRange> removedOnResume() {
            return Optional.ofNullable(removedOnResume);
        }

        @Override
        public CompletionStage<Done> commit(long globalSequence) {
            if (checkpointer == null) {
                return CompletableFuture.failedFuture(new IllegalStateException(
                        "this cursor has no checkpoint; start it with CursorSettings.withCheckpointId(id) to commit"));
            }
            if (globalSequence > position) {
                return CompletableFuture.failedFuture(new InvalidInputException("globalSequence",
                        "invalid argument globalSequence: cannot commit " + globalSequence
                                + ", the cursor has emitted only up to " + position));
            }
            return checkpointer.commit(globalSequence);
        }

        @Override
        public void shutdown() {
            Logic l = logic;
            if (l != null) {
                l.shutdown.invoke(Done.getInstance());
            }
        }

        @Override
        public CompletionStage<Done> whenStopped() {
            return stoppedFuture;
        }

        @Override
        public String toString() {
            return "CursorControl[" + region.identity() + ", position=" + position + ", committed=" + committed()
                    + ", checkpoint=" + settings.checkpointId().orElse("none") + "]";
        }
    }
}
