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
 * The cursor source. It reads a page of the region from the index only when downstream has pulled and every
 * event read before was emitted, so it holds at most one batch. Reads run on the store's I/O dispatcher. When a
 * read finds nothing new it parks on {@link StoreFeed#wakeAfter} until the visible head moves past what it has
 * scanned, so live events arrive as soon as the fan-out sees the commit, with no polling.
 *
 * <p>Catch-up and live are one loop over the same index pages: each page starts strictly after the last emitted
 * global sequence, so the switch from history to live has no gap and no duplicate.
 */
final class CursorStage<T> extends AbstractGraphStageWithMaterializedValue<SourceShape<T>, CursorControl> {
    private static final Logger LOG = LoggerFactory.getLogger(CursorStage.class);
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

    /** Events the cursor read from the index so far (an internal counter for tests). */
    static long eventsRead(CursorControl control) {
        return ((CursorStage<?>.Control) control).read;
    }

    @Override
    public SourceShape<T> shape() {
        return shape;
    }

    /** The outcome of one read, handed back to the stage. */
    private record Read(boolean init, long start, long stopAt, long head, List<StoredEvent> events, Throwable error) {
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

        private boolean caughtUpForGood() {
            return settings.completeAtHead() && Math.max(control.position, scanned) >= stopAt;
        }

        private void emit() {
            StoredEvent e = buffer.poll();
            control.buffered = buffer.size();
            control.position = e.globalSequence();
            push(out, wrap.apply(e, control));
            if (buffer.isEmpty() && caughtUpForGood()) {
                completeStage();
            }
        }

        private void startRead() {
            reading = true;
            boolean init = !initialized;
            long from = Math.max(control.position, scanned);
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
                List<StoredEvent> events = store.query(region, start, settings.batchSize());
                return new Read(init, start, stop, head, events, null);
            } catch (RuntimeException e) {
                return new Read(init, start, stop, -1, List.of(), e);
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
                scanned = events.size() < settings.batchSize() ? Math.max(last, r.head()) : last;
                for (StoredEvent e : events) {
                    if (e.globalSequence() <= stopAt) {
                        buffer.add(e);
                    }
                }
                control.buffered = buffer.size();
                control.peakBuffered = Math.max(control.peakBuffered, buffer.size());
                control.read += events.size();
                if (!buffer.isEmpty()) {
                    if (isAvailable(out)) {
                        emit();
                    }
                    return;
                }
            } else {
                scanned = Math.max(scanned, r.head());
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
                waiting = true;
                feed.wakeAfter(Math.max(control.position, scanned), () -> woken.invoke(Done.getInstance()));
            }
        }

        private void onWake() {
            waiting = false;
            if (isAvailable(out) && buffer.isEmpty() && !reading) {
                startRead();
            }
        }

        @Override
        public void postStop() {
            control.stopped = true;
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
        volatile long position = -1;
        volatile int buffered;
        /** Most events ever buffered at once (tests check it against the batch size). */
        volatile int peakBuffered;
        /** Events read from the index so far. */
        volatile long read;
        /** The checkpoint load has finished: the checkpoint is claimed, or loading it failed. */
        volatile boolean startSettled;
        volatile boolean stopped;
        volatile RemovedRange removedOnResume;
        final CompletableFuture<Done> stoppedFuture = new CompletableFuture<>();
        final Checkpointer checkpointer;

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
