package io.batpak.streams;

import io.batpak.actors.BatpakStore;
import io.batpak.core.EventIterator;
import io.batpak.core.Region;
import io.batpak.core.StoredEvent;
import io.batpak.core.internal.journal.SequentialRun;
import java.util.concurrent.Executor;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * The replay source ({@link BatpakStreams#replay}): one sequential run over the segment files. Frames already in
 * the run's read buffer are decoded and pushed on the stream's own thread; opening the run and every file read
 * (one large chunk at a time) run on the store's I/O executor. It holds one event beyond the read buffer.
 */
final class ReplayStage extends GraphStage<SourceShape<StoredEvent>> {
    private final Outlet<StoredEvent> out = Outlet.create("BatpakReplay.out");
    private final SourceShape<StoredEvent> shape = SourceShape.of(out);
    private final BatpakStore store;
    private final Region region;
    private final long after;
    private final Executor io;

    ReplayStage(BatpakStore store, Region region, long after, Executor io) {
        this.store = store;
        this.region = region;
        this.after = after;
        this.io = io;
    }

    @Override
    public SourceShape<StoredEvent> shape() {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
        return new Logic();
    }

    /** What a read on the I/O executor found: the next event, none (the end), or why it failed. */
    private record Fetched(StoredEvent event, Throwable error) {
    }

    private final class Logic extends GraphStageLogic {
        /** Guards {@link #run} between the stage and a read in flight; the read closes it if the stage stopped. */
        private final Object lock = new Object();
        private EventIterator run;
        private boolean stopped;
        private boolean reading;
        private final AsyncCallback<Fetched> fetched = createAsyncCallback(this::onFetched);

        Logic() {
            super(shape);
            setHandler(out, new AbstractOutHandler() {
                @Override
                public void onPull() {
                    StoredEvent e;
                    try {
                        e = buffered();
                    } catch (RuntimeException ex) {
                        failStage(ex);
                        return;
                    }
                    if (e != null) {
                        push(out, e);
                    } else {
                        fetch();
                    }
                }
            });
        }

        private StoredEvent buffered() {
            synchronized (lock) {
                return run instanceof SequentialRun r ? r.nextIfBuffered() : null;
            }
        }

        private void fetch() {
            if (reading) {
                return;
            }
            reading = true;
            io.execute(() -> {
                Fetched f;
                synchronized (lock) {
                    try {
                        if (stopped) {
                            return;
                        }
                        if (run == null) {
                            run = store.replay(region, after);
                        }
                        f = new Fetched(run.hasNext() ? run.next() : null, null);
                    } catch (RuntimeException e) {
                        f = new Fetched(null, e);
                    }
                }
                fetched.invoke(f);
            });
        }

        private void onFetched(Fetched f) {
            reading = false;
            if (f.error() != null) {
                failStage(f.error());
            } else if (f.event() == null) {
                completeStage();
            } else {
                push(out, f.event());
            }
        }

        @Override
        public void postStop() {
            // Closing only releases a file channel; a read in flight finishes first (it holds the lock).
            io.execute(() -> {
                synchronized (lock) {
                    stopped = true;
                    if (run != null) {
                        run.close();
                    }
                }
            });
        }
    }
}
