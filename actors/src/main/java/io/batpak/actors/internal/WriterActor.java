package io.batpak.actors.internal;

import io.batpak.core.StoreConfig;
import io.batpak.core.SyncMode;
import io.batpak.core.error.AppendConditionFailedException;
import io.batpak.core.error.GateDeniedException;
import io.batpak.core.error.StoreFailedException;
import io.batpak.core.error.StoreWriteException;
import io.batpak.core.internal.index.IndexCheckpoint;
import io.batpak.core.internal.journal.JournalWriter;
import io.batpak.core.internal.journal.PendingEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p><b>Append conditions.</b> A write whose events carry {@link io.batpak.core.AppendCondition}s is checked right
 * before it is staged, on this actor (the one sequencer), against the committed index, the staged events and the
 * write's own earlier events; one that fails is answered with
 * {@link AppendConditionFailedException} and never staged, one that passes is staged; either way its
 * {@code verdictTo} is told. The entities it touches are held by their partitions until then, so no append builds on an event that a
 * condition might still refuse.
 *
 * <p><b>Failure.</b> Whenever an I/O step fails an append whose events a partition already chained on (a write,
 * a force, the start of a new segment), the same undo runs: every staged append fails with
 * {@link StoreWriteException}, the segment is truncated back to what was acknowledged, the epoch is bumped and
 * every partition is told to reset its heads to what is durable; writes stamped with an older epoch (built on the
 * failed events) are refused. So after any failure the partitions' heads equal what is durable, and no chain links
 * to an event that was not stored. If the truncation fails, the store enters the failed state: appends are refused,
 * reads keep working.
 *
 * <p><b>Periodic checkpoints.</b> Every {@code batpak.checkpoint-interval-events} committed events, or every
 * {@code batpak.checkpoint-interval} while events are committed, the writer forces, takes a snapshot of what the
 * index checkpoint covers (references only, between two commits) and hands the write of the checkpoint to the I/O
 * dispatcher; appends continue meanwhile. At most one checkpoint is written at a time; close waits for it.
 */
public final class WriterActor extends AbstractBehavior<WriterActor.Command> {
    private static final Logger LOG = LoggerFactory.getLogger(WriterActor.class);

    /** The writer's protocol. */
    public sealed interface Command {
    }

    /**
     * The store's partitions, sent once by the guardian right after spawning them and before any append can
     * reach them (the partitions need the writer's ref, the writer needs theirs for {@link EntityPartition.Reset}).
     */
    public record Partitions(List<ActorRef<EntityPartition.Command>> partitions) implements Command {
    }

    /**
     * Append an atomic group built against partition epoch {@code epoch}; the outcome goes to {@code replyTo}.
     * With a {@code denial}, the group is the record of a gate denial: once it is stored (or not) the reply is the
     * denial.
     */
    public record Write(long epoch, PendingEvent[] events, GateDeniedException denial,
                        OutcomeReceiver replyTo, ActorRef<Verdict> verdictTo) implements Command {
        /** A write without append conditions. */
        public Write(long epoch, PendingEvent[] events, GateDeniedException denial, OutcomeReceiver replyTo) {
            this(epoch, events, denial, replyTo, null);
        }
    }

    /** Several writes from one partition's turn, handled in order as if each had come alone. */
    public record Writes(Write[] writes) implements Command {
    }

    /**
     * Whether a write with a {@code verdictTo} was sequenced: {@code refusal} is null when it passed its conditions
     * and was staged (its outcome follows on {@code replyTo}), else why it was not (a failed condition, a write built
     * on a failed one, a failed store; its key claims are already released and its {@code replyTo} is told too).
     * Sent exactly once, to the actor holding the write's entities until then.
     */
    public record Verdict(PendingEvent[] events, Throwable refusal) {
    }

    /**
     * Commit what is staged, force, and reply with a snapshot of everything durable: what a backup copies while
     * appends continue.
     */
    public record TakeSnapshot(ActorRef<SnapshotTaken> replyTo) implements Command {
    }

    /** The snapshot, or why none could be taken. */
    /**
     * Commit what is staged and seal the active segment (when it holds events), so that everything committed so far is
     * in sealed segments; reply how many segments are sealed. What a compaction rewrites.
     */
    public record SealActive(ActorRef<Sealed> replyTo) implements Command {
    }

    /** The reply to {@link SealActive}: segments {@code [0, sealedSegments)} are sealed, or the error. */
    public record Sealed(int sealedSegments, Throwable error) {
    }

    public record SnapshotTaken(io.batpak.core.internal.index.IndexCheckpoint.Snapshot snapshot, Throwable error) {
    }

    /** The store failed elsewhere (an actor stopped): refuse every append from now on. */
    public record Fail(StoreFailedException failure) implements Command {
    }

    /** Commit what is staged, force, write the checkpoint (if configured), close the segment and stop. */
    public record Stop(ActorRef<Stopped> replyTo) implements Command {
    }

    /** The writer stopped; {@code error} is null when the journal closed cleanly. */
    public record Stopped(Throwable error) {
    }

    private enum Flush implements Command { INSTANCE }

    private enum SyncTick implements Command { INSTANCE }

    private enum CheckpointTick implements Command { INSTANCE }

    private record CheckpointWritten(long rows, Throwable error) implements Command {
    }

    private final StoreState state;
    private final JournalWriter journal;
    private final StoreConfig config;
    private final List<Write> staged = new ArrayList<>();
    private List<ActorRef<EntityPartition.Command>> partitions = List.of();
    private long epoch;
    private boolean flushScheduled;
    private StoreFailedException failed;
    private long checkpointedUpTo;
    private CompletableFuture<Void> checkpointInFlight;

    public static Behavior<Command> create(StoreState state) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new WriterActor(ctx, timers, state)));
    }

    private WriterActor(ActorContext<Command> ctx, TimerScheduler<Command> timers, StoreState state) {
        super(ctx);
        this.state = state;
        this.journal = state.journal;
        this.config = state.core.config();
        this.checkpointedUpTo = journal.nextSequence();
        SyncMode mode = config.syncMode();
        if (mode.kind() == SyncMode.Kind.INTERVAL) {
            timers.startTimerWithFixedDelay(SyncTick.INSTANCE, mode.interval());
        }
        Duration every = config.checkpointInterval();
        if (!every.isZero()) {
            timers.startTimerWithFixedDelay(CheckpointTick.INSTANCE, every);
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Write.class, this::onWrite)
                .onMessage(Writes.class, ws -> {
                    for (Write w : ws.writes()) {
                        onWrite(w);
                    }
                    return this;
                })
                .onMessageEquals(Flush.INSTANCE, this::onFlush)
                .onMessageEquals(SyncTick.INSTANCE, this::onSyncTick)
                .onMessageEquals(CheckpointTick.INSTANCE, this::onCheckpointTick)
                .onMessage(CheckpointWritten.class, this::onCheckpointWritten)
                .onMessage(Partitions.class, p -> {
                    partitions = List.copyOf(p.partitions());
                    return this;
                })
                .onMessage(Fail.class, f -> {
                    enterFailed(f.failure());
                    return this;
                })
                .onMessage(Stop.class, this::onStop)
                .onMessage(TakeSnapshot.class, this::onTakeSnapshot)
                .onMessage(SealActive.class, this::onSealActive)
                .build();
    }

    private Behavior<Command> onWrite(Write w) {
        state.faults.beforeMessage("writer", w);
        if (failed != null) {
            refuse(w, new StoreFailedException(failed.component(), "store failed earlier: " + failed.getMessage(),
                    failed));
            return this;
        }
        if (w.epoch() != epoch) {
            refuse(w, new StoreWriteException("an earlier write failed and this append was built on it;"
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
            if (w.verdictTo() != null) {
                AppendConditionFailedException refused = journal.checkConditions(w.events());
                if (refused != null) {
                    refuse(w, refused);
                    return this;
                }
            }
            journal.stage(w.events());
            staged.add(w);
            if (w.verdictTo() != null) {
                w.verdictTo().tell(new Verdict(w.events(), null));
            }
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
            refuse(w, e);
        } catch (RuntimeException e) {
            enterFailed(new StoreFailedException("writer defect: " + e, e));
            if (!staged.contains(w)) {
                refuse(w, failed);
            }
        }
        return this;
    }

    /** Fails a write that was not staged, telling its {@code verdictTo} (if any) first. */
    private void refuse(Write w, Throwable error) {
        if (w.verdictTo() != null) {
            w.verdictTo().tell(new Verdict(w.events(), error));
        }
        fail(w, error);
    }

    private Behavior<Command> onFlush() {
        flushScheduled = false;
        commit();
        if (config.checkpointIntervalEvents() > 0
                && journal.nextSequence() - checkpointedUpTo >= config.checkpointIntervalEvents()) {
            startCheckpoint();
        }
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

    private Behavior<Command> onCheckpointTick() {
        if (journal.nextSequence() > checkpointedUpTo) {
            commit();
            startCheckpoint();
        }
        return this;
    }

    /**
     * Takes the checkpoint's snapshot here (after a force, so it covers only durable events) and writes it on the
     * I/O dispatcher. Skipped while one is being written, when something is staged or when the store failed.
     */
    private void startCheckpoint() {
        if (checkpointInFlight != null || failed != null || !staged.isEmpty()) {
            return;
        }
        // A backup or compaction owns the files and the index as a whole: skip this one, the next tick retries.
        Semaphore lifecycle = journal.core().lifecycle();
        if (!lifecycle.tryAcquire()) {
            return;
        }
        IndexCheckpoint.Snapshot snapshot;
        try {
            snapshot = journal.checkpointSnapshot();
        } catch (StoreFailedException e) {
            lifecycle.release();
            enterFailed(e);
            return;
        } catch (IOException | RuntimeException e) {
            lifecycle.release();
            LOG.warn("periodic index checkpoint skipped: {}", e.toString());
            return;
        }
        // Counted as covered from now on, so a failing checkpoint is retried one interval later, not on every commit.
        checkpointedUpTo = snapshot.rows();
        ActorRef<Command> self = getContext().getSelf();
        checkpointInFlight = CompletableFuture.runAsync(() -> {
            try {
                journal.writeCheckpoint(snapshot);
                self.tell(new CheckpointWritten(snapshot.rows(), null));
            } catch (IOException | RuntimeException e) {
                self.tell(new CheckpointWritten(snapshot.rows(), e));
            } finally {
                lifecycle.release();
            }
        }, state.ioExecutor);
    }

    private Behavior<Command> onTakeSnapshot(TakeSnapshot t) {
        commit();
        if (failed != null) {
            t.replyTo().tell(new SnapshotTaken(null, failed));
            return this;
        }
        try {
            t.replyTo().tell(new SnapshotTaken(journal.checkpointSnapshot(), null));
        } catch (StoreFailedException e) {
            enterFailed(e);
            t.replyTo().tell(new SnapshotTaken(null, e));
        } catch (IOException | RuntimeException e) {
            t.replyTo().tell(new SnapshotTaken(null, e));
        }
        return this;
    }

    private Behavior<Command> onSealActive(SealActive m) {
        commit();
        if (failed != null) {
            m.replyTo().tell(new Sealed(-1, failed));
            return this;
        }
        try {
            m.replyTo().tell(new Sealed(journal.sealActive(), null));
        } catch (StoreFailedException e) {
            enterFailed(e);
            m.replyTo().tell(new Sealed(-1, e));
        } catch (IOException | RuntimeException e) {
            m.replyTo().tell(new Sealed(-1, e));
        }
        return this;
    }

    private Behavior<Command> onCheckpointWritten(CheckpointWritten w) {
        checkpointInFlight = null;
        if (w.error() != null) {
            LOG.warn("periodic index checkpoint at {} events not written (the previous one stays): {}",
                    w.rows(), w.error().toString());
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
            state.feed.signal();
            Write[] done = staged.toArray(new Write[0]);
            staged.clear();
            Runnable replies = () -> {
                for (Write w : done) {
                    for (PendingEvent e : w.events()) {
                        if (e.claim() instanceof KeyClaim c) {
                            c.complete(e);
                        }
                    }
                    w.replyTo().tell(w.denial() != null ? new WriteOutcome.Failed(w.denial())
                            : new WriteOutcome.Committed(w.events()));
                }
            };
            if (done.length <= state.settings.writerRepliesUpTo()) {
                // Callbacks attached to these stages are handed to the reply executor; only waiters wake from here.
                ReplyFuture.shielded(replies);
            } else {
                state.replyExecutor.execute(replies);
            }
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
        LOG.warn("{}: failing {} appends and resetting entity heads", error.getMessage(),
                journal.stagedCount() + countEvents(staged) + (unstaged == null ? 0 : unstaged.events().length));
        journal.countFailed(journal.discardStaged().size() + (unstaged == null ? 0 : unstaged.events().length));
        // Reset the partitions before anyone learns of the failure: an append issued after the failed reply
        // (a retry) then reaches its partition after the Reset and is built on the new epoch.
        epoch++;
        for (ActorRef<EntityPartition.Command> p : partitions) {
            p.tell(new EntityPartition.Reset(epoch));
        }
        failAll(error);
        if (unstaged != null) {
            refuse(unstaged, error);
        }
    }

    private void enterFailed(StoreFailedException e) {
        if (failed == null) {
            failed = e;
            if (state.markFailed(e)) {
                LOG.error("store entering failed state; appends are refused, reads keep working", e);
            }
            state.feed.signal();
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
            if (e.idempotencyKey() != null && state.core.keys().release(e.idempotencyKey()) instanceof KeyClaim c) {
                claims.add(c);
            }
        }
        Throwable reply;
        if (w.denial() != null) {
            w.denial().addSuppressed(error);
            reply = w.denial();
        } else {
            reply = error;
        }
        state.replyExecutor.execute(() -> {
            for (KeyClaim c : claims) {
                c.fail(error);
            }
            w.replyTo().tell(new WriteOutcome.Failed(reply));
        });
    }

    private Behavior<Command> onStop(Stop stop) {
        commit();
        Throwable error = null;
        try {
            boolean checkpointFree = awaitCheckpoint();
            if (failed == null) {
                journal.forceIfDue(true);
                Semaphore lifecycle = journal.core().lifecycle();
                if (config.checkpointOnClose() && checkpointFree && lifecycle.tryAcquire()) {
                    try {
                        journal.writeCheckpoint();
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("index checkpoint not written, next open scans the tail since the"
                                + " last one: {}", e.toString());
                    } finally {
                        lifecycle.release();
                    }
                }
            }
        } catch (RuntimeException e) {
            error = e;
        }
        if (state.claimJournalClose()) {
            try {
                journal.close();
            } catch (IOException | RuntimeException e) {
                error = error == null ? e : error;
            }
        }
        stop.replyTo().tell(new Stopped(error));
        return Behaviors.stopped();
    }

    /** A periodic checkpoint being written must finish before close writes its own (both use one temporary file). */
    private boolean awaitCheckpoint() {
        CompletableFuture<Void> inFlight = checkpointInFlight;
        if (inFlight == null) {
            return true;
        }
        try {
            inFlight.get(state.settings.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            checkpointInFlight = null;
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.warn("periodic index checkpoint still running at close, close writes none: {}",
                    e.toString());
            return false;
        }
    }
}
