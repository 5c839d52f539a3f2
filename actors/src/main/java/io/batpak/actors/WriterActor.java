package io.batpak.actors;

import io.batpak.core.SyncMode;
import io.batpak.core.error.StoreFailedException;
import io.batpak.core.error.StoreWriteException;
import io.batpak.core.internal.journal.JournalWriter;
import io.batpak.core.internal.journal.PendingEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The single writer: assigns global sequences and group-commits. Runs alone on the blocking-I/O dispatcher
 * ({@code batpak.writer-dispatcher}).
 *
 * <p><b>Group commit.</b> Each {@link Write} is staged (placed and copied into the write buffer). The first write
 * after a commit sends the actor a {@code Flush} marker; since the mailbox is FIFO, the marker comes back only
 * after every write that was already queued, so one write and one force cover all of them. A commit also happens
 * early when the staged data reaches {@code batpak.group-commit.max-events} or {@code max-bytes}, and before a
 * segment rotation. While the force runs, new writes queue up for the next commit.
 *
 * <p><b>Failure.</b> Whenever an I/O step fails an append whose events a partition already chained on (a write,
 * a force, the start of a new segment), the same undo runs: every staged append fails with
 * {@link StoreWriteException}, the segment is truncated back to what was acknowledged, the epoch is bumped and
 * every partition is told to reset its heads to what is durable; writes stamped with an older epoch (built on the
 * failed events) are refused. So after any failure the partitions' heads equal what is durable, and no chain links
 * to an event that was not stored. If the truncation fails, the store enters the failed state: appends are refused,
 * reads keep working.
 */
final class WriterActor extends AbstractBehavior<WriterActor.Command> {

    /** The writer's protocol. */
    sealed interface Command {
    }

    /** Append an atomic group built against partition epoch {@code epoch}. */
    record Write(long epoch, PendingEvent[] events, GroupReply reply) implements Command {
    }

    /** Commit what is staged, force, write the checkpoint (if configured), close the segment and stop. */
    record Stop(CompletableFuture<Void> done) implements Command {
    }

    private enum Flush implements Command { INSTANCE }

    private enum SyncTick implements Command { INSTANCE }

    private final StoreRuntime rt;
    private final JournalWriter journal;
    private final List<Write> staged = new ArrayList<>();
    private long epoch;
    private boolean flushScheduled;
    private StoreFailedException failed;

    static Behavior<Command> create(StoreRuntime rt) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new WriterActor(ctx, timers, rt)));
    }

    private WriterActor(ActorContext<Command> ctx, TimerScheduler<Command> timers, StoreRuntime rt) {
        super(ctx);
        this.rt = rt;
        this.journal = rt.journal;
        SyncMode mode = rt.core.config().syncMode();
        if (mode.kind() == SyncMode.Kind.INTERVAL) {
            timers.startTimerWithFixedDelay(SyncTick.INSTANCE, mode.interval());
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Write.class, this::onWrite)
                .onMessageEquals(Flush.INSTANCE, this::onFlush)
                .onMessageEquals(SyncTick.INSTANCE, this::onSyncTick)
                .onMessage(Stop.class, this::onStop)
                .build();
    }

    private Behavior<Command> onWrite(Write w) {
        if (failed != null) {
            fail(w, new StoreFailedException("store failed earlier: " + failed.getMessage(), failed));
            return this;
        }
        if (w.epoch() != epoch) {
            fail(w, new StoreWriteException("an earlier write failed and this append was built on it;"
                    + " it was not stored, retry it", null));
            return this;
        }
        try {
            long bytes = 0;
            for (PendingEvent e : w.events()) {
                bytes += e.frameLength();
            }
            if (!journal.fits(bytes)) {
                commit();
                if (failed != null || w.epoch() != epoch) {
                    onWrite(w);
                    return this;
                }
                journal.rotate();
            }
            journal.stage(w.events());
            staged.add(w);
            if (journal.full()) {
                commit();
            } else if (!flushScheduled) {
                flushScheduled = true;
                getContext().getSelf().tell(Flush.INSTANCE);
            }
        } catch (IOException e) {
            // Only creating the next segment throws here. Nothing staged was lost, but the partition already
            // advanced its heads for this group (and maybe for later groups queued behind it): undo like a failed write.
            undo(new StoreWriteException("cannot start a new segment: " + e.getMessage()
                    + "; the append was not stored", e), w);
        } catch (StoreFailedException e) {
            enterFailed(e);
            fail(w, e);
        } catch (RuntimeException e) {
            enterFailed(new StoreFailedException("writer defect: " + e, e));
            if (!staged.contains(w)) {
                fail(w, failed);
            }
        }
        return this;
    }

    private Behavior<Command> onFlush() {
        flushScheduled = false;
        commit();
        return this;
    }

    private Behavior<Command> onSyncTick() {
        if (failed == null) {
            try {
                journal.forceIfDue(false);
                journal.flushDurableEnd();
            } catch (StoreFailedException e) {
                enterFailed(e);
            }
        }
        return this;
    }

    /** Commits everything staged and replies; on failure fails it all. */
    private void commit() {
        if (staged.isEmpty()) {
            return;
        }
        try {
            journal.commit();
            rt.feed.signal();
            Write[] done = staged.toArray(new Write[0]);
            staged.clear();
            rt.replyExecutor.execute(() -> {
                for (Write w : done) {
                    for (PendingEvent e : w.events()) {
                        if (e.claim() instanceof KeyClaim c) {
                            c.complete(e.receipt());
                        }
                    }
                    w.reply().committed(w.events());
                }
            });
            // After the replies are handed out: the mark's write is never on an append's path to its receipt.
            journal.flushDurableEnd();
        } catch (IOException e) {
            undo(new StoreWriteException("write to the segment failed: " + e.getMessage()
                    + "; the append was not stored", e), null);
        } catch (StoreFailedException e) {
            enterFailed(e);
        } catch (RuntimeException e) {
            enterFailed(new StoreFailedException("writer defect: " + e, e));
        }
    }

    /**
     * An I/O step failed and nothing of it is durable (the journal already cut back what it wrote): fail every
     * staged append and {@code unstaged} (a group that was not staged yet, or null), and reset every partition to
     * what is durable under a new epoch.
     */
    private void undo(StoreWriteException error, Write unstaged) {
        getContext().getLog().warn("{}: failing {} appends and resetting entity heads", error.getMessage(),
                journal.stagedCount() + countEvents(staged) + (unstaged == null ? 0 : unstaged.events().length));
        journal.countFailed(journal.discardStaged().size() + (unstaged == null ? 0 : unstaged.events().length));
        // Reset the partitions before anyone learns of the failure: an append issued after the failed reply
        // (a retry) then reaches its partition after the Reset and is built on the new epoch.
        epoch++;
        for (var p : rt.partitions) {
            p.tell(new EntityPartition.Reset(epoch));
        }
        failAll(error);
        if (unstaged != null) {
            fail(unstaged, error);
        }
    }

    private void enterFailed(StoreFailedException e) {
        if (failed == null) {
            getContext().getLog().error("store entering failed state; appends are refused, reads keep working", e);
            failed = e;
            rt.markFailed(e);
            rt.feed.signal();
        }
        journal.countFailed(journal.discardStaged().size());
        failAll(e);
    }

    private void failAll(Throwable error) {
        List<Write> toFail = new ArrayList<>(staged);
        staged.clear();
        for (Write w : toFail) {
            fail(w, error);
        }
    }

    private static int countEvents(List<Write> ws) {
        int n = 0;
        for (Write w : ws) {
            n += w.events().length;
        }
        return n;
    }

    /** Fails one group: releases its idempotency claims (failing their waiters) and replies. */
    private void fail(Write w, Throwable error) {
        List<KeyClaim> claims = new ArrayList<>(0);
        for (PendingEvent e : w.events()) {
            if (e.idempotencyKey() != null && rt.core.keys().release(e.idempotencyKey()) instanceof KeyClaim c) {
                claims.add(c);
            }
        }
        rt.replyExecutor.execute(() -> {
            for (KeyClaim c : claims) {
                c.fail(error);
            }
            w.reply().failed(error);
        });
    }

    private Behavior<Command> onStop(Stop stop) {
        commit();
        try {
            if (failed == null) {
                journal.forceIfDue(true);
                if (rt.core.config().checkpointOnClose()) {
                    try {
                        journal.writeCheckpoint();
                    } catch (IOException | RuntimeException e) {
                        getContext().getLog().warn("index checkpoint not written, next open scans all segments: {}",
                                e.toString());
                    }
                }
            }
            journal.close();
            stop.done().complete(null);
        } catch (IOException | RuntimeException e) {
            stop.done().completeExceptionally(e);
        }
        return Behaviors.stopped();
    }
}
