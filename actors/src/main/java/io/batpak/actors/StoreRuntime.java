package io.batpak.actors;

import io.batpak.core.error.StoreClosedException;
import io.batpak.core.error.StoreException;
import io.batpak.core.error.StoreFailedException;
import io.batpak.core.error.StoreOverloadedException;
import io.batpak.core.internal.journal.JournalWriter;
import io.batpak.core.internal.journal.StoreCore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * State shared by the facade and the store's actors: the core, the actor refs, admission control (bounded
 * in-flight appends), the failed state and the close drain. Thread-safe.
 */
final class StoreRuntime {
    final StoreCore core;
    final JournalWriter journal;
    /** Where reply futures are completed, so callers' callbacks never run on the writer's thread. */
    final Executor replyExecutor;
    /** Where blocking reads done for actors run. */
    final Executor ioExecutor;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong batchIds = new AtomicLong();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile boolean closing;
    private volatile StoreFailedException failure;
    /** Live delivery: the writer signals it after each commit. */
    final StoreFeed feed;
    volatile ActorRef<WriterActor.Command> writer;
    volatile List<ActorRef<EntityPartition.Command>> partitions;

    StoreRuntime(StoreCore core, JournalWriter journal, Executor replyExecutor, Executor ioExecutor) {
        this.core = core;
        this.journal = journal;
        this.replyExecutor = replyExecutor;
        this.ioExecutor = ioExecutor;
        this.feed = new StoreFeed(core);
    }

    /**
     * Admits {@code n} appends or returns why not: closed, failed or overloaded.
     *
     * @return null when admitted (the caller must {@link #release} them), else the error
     */
    StoreException admit(int n, String what) {
        if (closing) {
            return new StoreClosedException(what);
        }
        StoreFailedException f = failure;
        if (f != null) {
            return new StoreFailedException("store failed earlier, " + what + " refused: " + f.getMessage(), f);
        }
        int bound = core.config().writerQueueBound();
        int now = inFlight.addAndGet(n);
        if (now > bound && now - n > 0) {
            release(n);
            return new StoreOverloadedException(now - n, bound);
        }
        if (closing) {
            // close() may have seen zero in flight just before this admission counted: back out.
            release(n);
            return new StoreClosedException(what);
        }
        return null;
    }

    /** Marks {@code n} admitted appends finished. */
    void release(int n) {
        int now = inFlight.addAndGet(-n);
        if (now == 0 && closing) {
            drained.complete(null);
        }
    }

    int inFlight() {
        return inFlight.get();
    }

    long nextBatchId() {
        return batchIds.incrementAndGet();
    }

    ActorRef<EntityPartition.Command> partitionFor(String entity) {
        List<ActorRef<EntityPartition.Command>> ps = partitions;
        return ps.get(Math.floorMod(entity.hashCode(), ps.size()));
    }

    int partitionIndex(String entity) {
        return Math.floorMod(entity.hashCode(), partitions.size());
    }

    /** Stops admitting appends; the returned future completes once every admitted append has finished. */
    CompletableFuture<Void> beginClose() {
        closing = true;
        if (inFlight.get() == 0) {
            drained.complete(null);
        }
        return drained;
    }

    boolean closing() {
        return closing;
    }

    void markFailed(StoreFailedException e) {
        if (failure == null) {
            failure = e;
        }
    }

    StoreFailedException failure() {
        return failure;
    }
}
