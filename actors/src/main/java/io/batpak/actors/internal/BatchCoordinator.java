package io.batpak.actors.internal;

import io.batpak.core.AppendReceipt;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.error.IdempotencyConflictException;
import io.batpak.core.error.StoreTimeoutException;
import io.batpak.core.internal.journal.PendingEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Coordinates one atomic batch across entity partitions; a short-lived child of the store's guardian, one per
 * batch. It prepares the partitions one after another in ascending order (each holds its entities, so two batches
 * never wait on each other), then either hands all events to the writer as one group and releases the partitions,
 * or aborts every partition it asked. The writer's Write is sent before the releases, so appends that chain onto
 * the batch's events reach the writer after it. It answers {@code replyTo} exactly once and stops.
 *
 * <p>If the partitions have not all prepared within {@code batpak.batch-timeout}, the batch is aborted (nothing is
 * stored) and fails with {@link StoreTimeoutException}; if the writer has not answered within that time after the
 * hand-off, the batch fails with {@link StoreTimeoutException} too (its outcome is then unknown).
 *
 * <p>A batch with an {@link io.batpak.core.AppendCondition} on any item keeps its partitions held until the writer
 * has checked the conditions: it releases them when the writer admits the batch, and aborts them (restoring their
 * heads; the writer already dropped the batch's key claims) when it refuses it, so no append is ever built on an
 * event a condition refused. If the batch times out meanwhile, the caller gets the timeout at once and the
 * coordinator stays until the writer's verdict to release the partitions.
 *
 * <p>Idempotency across a batch: if every item carries a key that is already committed with the same content,
 * the original receipts are returned; if only some items hit, the batch fails with
 * {@link IdempotencyConflictException} (a batch is replayed whole or not at all).
 */
public final class BatchCoordinator extends AbstractBehavior<BatchCoordinator.Command> {

    /** The coordinator's messages (all from its partitions, the writer and its timer). */
    public sealed interface Command {
    }

    private record PrepareReply(EntityPartition.PrepareOutcome outcome) implements Command {
    }

    private record Finished(WriteOutcome outcome) implements Command {
    }

    private record VerdictReply(WriterActor.Verdict verdict) implements Command {
    }

    private enum Timeout implements Command { INSTANCE }

    private final StoreState state;
    private final ActorRef<WriterActor.Command> writer;
    private final List<ActorRef<EntityPartition.Command>> partitions;
    private final long batchId;
    private final String name;
    private final List<EntityPartition.BatchItem> items;
    private final OutcomeReceiver replyTo;
    private final Duration timeout;
    private final Map<Integer, List<EntityPartition.BatchItem>> byPartition = new TreeMap<>();
    private final List<Integer> order;
    private final List<ActorRef<EntityPartition.Command>> asked = new ArrayList<>();
    private final PendingEvent[] events;
    private final long[] hits;
    private final ActorRef<EntityPartition.PrepareOutcome> prepareAdapter;
    private final OutcomeReceiver finishAdapter;
    private int at;
    private long epoch = Long.MAX_VALUE;
    private boolean anyHit;
    private boolean handedOff;
    private final boolean conditional;
    /** A conditional batch handed to the writer whose verdict has not come: its partitions are still held. */
    private boolean awaitingVerdict;
    private boolean replied;

    public static Behavior<Command> create(StoreState state, ActorRef<WriterActor.Command> writer,
                                           List<ActorRef<EntityPartition.Command>> partitions, long batchId,
                                           List<EntityPartition.BatchItem> items, OutcomeReceiver replyTo) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new BatchCoordinator(ctx, timers, state, writer, partitions, batchId, items, replyTo)));
    }

    private BatchCoordinator(ActorContext<Command> ctx, TimerScheduler<Command> timers, StoreState state,
                             ActorRef<WriterActor.Command> writer, List<ActorRef<EntityPartition.Command>> partitions,
                             long batchId, List<EntityPartition.BatchItem> items, OutcomeReceiver replyTo) {
        super(ctx);
        this.state = state;
        this.writer = writer;
        this.partitions = partitions;
        this.batchId = batchId;
        this.name = "batch-" + batchId;
        this.items = items;
        this.replyTo = replyTo;
        this.timeout = state.settings.batchTimeout();
        this.events = new PendingEvent[items.size()];
        this.hits = new long[items.size()];
        Arrays.fill(hits, -1);
        for (EntityPartition.BatchItem it : items) {
            byPartition.computeIfAbsent(Partitioning.index(it.coordinate().entity(), partitions.size()),
                    k -> new ArrayList<>()).add(it);
        }
        this.order = new ArrayList<>(byPartition.keySet());
        boolean anyCondition = false;
        for (EntityPartition.BatchItem it : items) {
            anyCondition |= it.options().condition() != null;
        }
        this.conditional = anyCondition;
        this.prepareAdapter = ctx.messageAdapter(EntityPartition.PrepareOutcome.class, PrepareReply::new);
        this.finishAdapter = ctx.messageAdapter(WriteOutcome.class, Finished::new)::tell;
        timers.startSingleTimer(Timeout.INSTANCE, timeout);
        prepareNext();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(PrepareReply.class, this::onPrepared)
                .onMessage(Finished.class, this::onFinished)
                .onMessageEquals(Timeout.INSTANCE, this::onTimeout)
                .onMessage(VerdictReply.class, this::onVerdict)
                .build();
    }

    private void prepareNext() {
        int p = order.get(at);
        ActorRef<EntityPartition.Command> partition = partitions.get(p);
        asked.add(partition);
        partition.tell(new EntityPartition.PrepareBatch(batchId, byPartition.get(p), prepareAdapter, finishAdapter));
    }

    private Behavior<Command> onPrepared(PrepareReply reply) {
        state.faults.beforeMessage(name, reply);
        if (handedOff) {
            return this;
        }
        if (reply.outcome() instanceof EntityPartition.PrepareRefused refused) {
            asked.remove(asked.size() - 1); // the refusing partition holds nothing
            return abort(refused.error());
        }
        EntityPartition.Prepared ok = (EntityPartition.Prepared) reply.outcome();
        List<EntityPartition.BatchItem> mine = byPartition.get(order.get(at));
        if (ok.events() != null) {
            for (int i = 0; i < mine.size(); i++) {
                events[mine.get(i).index()] = ok.events()[i];
            }
        } else {
            // Nothing is held for a partition whose items are all stored already.
            asked.remove(asked.size() - 1);
            for (int i = 0; i < mine.size(); i++) {
                hits[mine.get(i).index()] = ok.hits()[i];
            }
            anyHit = true;
        }
        epoch = Math.min(epoch, ok.epoch());
        at++;
        if (at < order.size()) {
            prepareNext();
            return this;
        }
        return decide();
    }

    private Behavior<Command> decide() {
        if (!anyHit) {
            handedOff = true;
            if (conditional) {
                awaitingVerdict = true;
                ActorRef<WriterActor.Verdict> verdict = getContext().messageAdapter(WriterActor.Verdict.class,
                        VerdictReply::new);
                writer.tell(new WriterActor.Write(epoch, events, null, finishAdapter, verdict));
            } else {
                writer.tell(new WriterActor.Write(epoch, events, null, finishAdapter));
                release(false);
            }
            return this;
        }
        release(true);
        for (int i = 0; i < items.size(); i++) {
            if (hits[i] < 0) {
                return finish(new WriteOutcome.Failed(new IdempotencyConflictException(firstHitKey(),
                        "item " + i + " of this batch is new while item(s) with this key were stored earlier;"
                                + " a batch is replayed whole or not at all")));
            }
        }
        handedOff = true;
        state.ioExecutor.execute(() -> {
            WriteOutcome outcome;
            try {
                List<AppendReceipt> receipts = new ArrayList<>(items.size());
                for (int i = 0; i < items.size(); i++) {
                    EntityPartition.BatchItem it = items.get(i);
                    receipts.add(EntityPartition.matchStored(state.core, it.options().idempotencyKey(), hits[i],
                            it.coordinate(), it.kind(), it.payload()));
                }
                outcome = new WriteOutcome.Replayed(receipts);
            } catch (RuntimeException e) {
                outcome = new WriteOutcome.Failed(e);
            }
            finishAdapter.tell(outcome);
        });
        return this;
    }

    private Behavior<Command> onVerdict(VerdictReply v) {
        awaitingVerdict = false;
        if (v.verdict().refusal() == null) {
            release(false);
        } else {
            // Refused before it was sequenced (a failed condition, an earlier failed write, a failed store): the
            // writer dropped the key claims; the partitions restore their heads.
            releaseHeads();
        }
        return replied ? Behaviors.stopped() : this;
    }

    private Behavior<Command> onFinished(Finished f) {
        if (!handedOff) {
            // A gate denied an item while its partition prepared (the denial's record is written): that partition
            // holds nothing, the ones before it are released.
            asked.remove(asked.size() - 1);
            release(true);
        }
        return finish(f.outcome());
    }

    private IdempotencyKey firstHitKey() {
        for (int i = 0; i < items.size(); i++) {
            if (hits[i] >= 0) {
                return items.get(i).options().idempotencyKey();
            }
        }
        throw new IllegalStateException("no hit");
    }

    private Behavior<Command> onTimeout() {
        StoreTimeoutException timedOut = new StoreTimeoutException(handedOff ? "an atomic batch of " + items.size()
                + " items handed to the writer" : "preparing an atomic batch of " + items.size() + " items", timeout);
        if (handedOff) {
            return finish(new WriteOutcome.Failed(timedOut));
        }
        return abort(timedOut);
    }

    private Behavior<Command> abort(Throwable error) {
        release(true);
        return finish(new WriteOutcome.Failed(error));
    }

    /** Releases every partition asked so far (on abort also one whose prepare is still on its way). */
    private void release(boolean aborted) {
        for (ActorRef<EntityPartition.Command> p : asked) {
            p.tell(new EntityPartition.ReleaseBatch(batchId, aborted));
        }
        asked.clear();
    }

    /** Aborts every partition asked, restoring heads but leaving the key claims to the writer, which released them. */
    private void releaseHeads() {
        for (ActorRef<EntityPartition.Command> p : asked) {
            p.tell(new EntityPartition.ReleaseBatch(batchId, true, false));
        }
        asked.clear();
    }

    /**
     * Answers the caller once; stops unless the writer's verdict on a held conditional batch is still to come (the
     * partitions must be released then).
     */
    private Behavior<Command> finish(WriteOutcome outcome) {
        if (!replied) {
            replied = true;
            replyTo.tell(outcome);
        }
        return awaitingVerdict ? this : Behaviors.stopped();
    }
}
