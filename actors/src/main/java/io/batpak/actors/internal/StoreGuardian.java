package io.batpak.actors.internal;

import io.batpak.actors.BatpakStore;
import io.batpak.actors.StoreCommand;
import io.batpak.core.error.StoreFailedException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root of one store's actors. It spawns the writer, the entity partitions, the fan-out and the front door as
 * its children, giving each its collaborators when it spawns it, and watches them; it also spawns one
 * {@link BatchCoordinator} per atomic batch.
 *
 * <p>If any child stops or fails while the store is not closing, the store becomes <em>failed</em>: every append
 * awaiting its outcome and every later one fails with a {@link StoreFailedException} naming the actor and the
 * cause, the writer refuses further writes, live subscriptions end with the failure, and reads keep serving what
 * is durable. Close still works: the guardian stops what is left and closes the journal itself when the writer is
 * gone.
 *
 * <p>Close runs in order: the writer commits what it holds, forces, writes the index checkpoint and closes the
 * journal; then the fan-out delivers every visible event and ends the feed; then every child is stopped and the
 * guardian stops itself.
 */
public final class StoreGuardian extends AbstractBehavior<StoreGuardian.Command> {
    private static final Logger LOG = LoggerFactory.getLogger(StoreGuardian.class);

    /** The guardian's protocol (sent by the store's facade, and to itself). */
    public sealed interface Command {
    }

    /** Answers with the children the facade sends to directly. */
    public record GetChildren(ActorRef<Children> replyTo) implements Command {
    }

    /** The refs the facade holds: the front door and the partitions (appends go straight to them). */
    public record Children(ActorRef<StoreCommand> frontDoor, List<ActorRef<EntityPartition.Command>> partitions,
                           ActorRef<WriterActor.Command> writer) {
    }

    /** Run an atomic batch; its outcome goes to {@code replyTo}. */
    public record RunBatch(List<EntityPartition.BatchItem> items, OutcomeReceiver replyTo) implements Command {
    }

    /** Close the store's actors in order; answered once the journal is closed and the feed has ended. */
    public record Close(ActorRef<Closed> replyTo) implements Command {
    }

    /** The store's actors are closed; {@code error} is the first problem met on the way, or null. */
    public record Closed(Throwable error) {
    }

    private record WriterStopped(Throwable error) implements Command {
    }

    private enum Step { WRITER, FANOUT }

    private record FanoutClosed(Throwable error) implements Command {
    }

    private final StoreState state;
    private final CompletableFuture<Void> stopped;
    private final ActorRef<WriterActor.Command> writer;
    private final ActorRef<FanoutActor.Command> fanout;
    private final ActorRef<StoreCommand> frontDoor;
    private final List<ActorRef<EntityPartition.Command>> partitions;
    /** Role of each watched child, by ref: what a failure names. */
    private final Map<ActorRef<?>, String> roles = new HashMap<>();
    private boolean writerAlive = true;
    private boolean fanoutAlive = true;
    private boolean closing;
    /** The close step the guardian waits for, if any. */
    private Step awaiting;
    private Throwable closeError;
    private ActorRef<Closed> closeReplyTo;

    /**
     * @param stopped completed when the guardian has stopped (after a close, or when its system terminates)
     */
    public static Behavior<Command> create(StoreState state, BatpakStore store, int partitionCount,
                                           CompletableFuture<Void> stopped) {
        return Behaviors.setup(ctx -> new StoreGuardian(ctx, state, store, partitionCount, stopped));
    }

    private StoreGuardian(ActorContext<Command> ctx, StoreState state, BatpakStore store, int partitionCount,
                          CompletableFuture<Void> stopped) {
        super(ctx);
        this.state = state;
        this.stopped = stopped;
        this.writer = watch(ctx.spawn(supervised(WriterActor.create(state)), "writer",
                DispatcherSelector.fromConfig(state.settings.writerDispatcher())), "writer");
        List<ActorRef<EntityPartition.Command>> ps = new ArrayList<>(partitionCount);
        for (int i = 0; i < partitionCount; i++) {
            String role = "partition-" + i;
            ps.add(watch(ctx.spawn(supervised(EntityPartition.create(state, writer, role)), role), role));
        }
        this.partitions = List.copyOf(ps);
        // The writer's first message, before any append can reach a partition: open() waits for GetChildren.
        writer.tell(new WriterActor.Partitions(partitions));
        this.fanout = watch(ctx.spawn(supervised(FanoutActor.create(state)), "fanout",
                DispatcherSelector.fromConfig(state.settings.fanoutDispatcher())), "fanout");
        state.feed.attach(fanout);
        this.frontDoor = watch(ctx.spawn(supervised(FrontDoor.create(store, state.faults)), "front-door",
                DispatcherSelector.fromConfig(state.settings.ioDispatcher())), "front-door");
    }

    /**
     * A child stops on failure (the typed default) without Pekko logging it: the guardian reports the failure once,
     * with the actor's role and the cause, as the store's failed state.
     */
    private static <T> Behavior<T> supervised(Behavior<T> behavior) {
        return Behaviors.supervise(behavior).onFailure(SupervisorStrategy.stop().withLoggingEnabled(false));
    }

    private <T> ActorRef<T> watch(ActorRef<T> child, String role) {
        getContext().watch(child);
        roles.put(child, role);
        return child;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(GetChildren.class, g -> {
                    g.replyTo().tell(new Children(frontDoor, partitions, writer));
                    return this;
                })
                .onMessage(RunBatch.class, this::onRunBatch)
                .onMessage(Close.class, this::onClose)
                .onMessage(WriterStopped.class, this::onWriterStopped)
                .onMessage(FanoutClosed.class, this::onFanoutClosed)
                .onSignal(ChildFailed.class, f -> onChildGone(f.getRef(), f.getCause()))
                .onSignal(Terminated.class, t -> onChildGone(t.getRef(), null))
                .onSignal(PostStop.class, s -> onPostStop())
                .build();
    }

    private Behavior<Command> onRunBatch(RunBatch r) {
        long id = state.nextId();
        String role = "batch-" + id;
        // A coordinator that fails (rather than stops when done) fails the store like any other child.
        watch(getContext().spawn(supervised(BatchCoordinator.create(state, writer, partitions, id, r.items(),
                r.replyTo())), role), role);
        return this;
    }

    private Behavior<Command> onChildGone(ActorRef<Void> child, Throwable cause) {
        String role = roles.remove(child);
        if (role == null) {
            return this;
        }
        if (role.equals("writer")) {
            writerAlive = false;
        } else if (role.equals("fanout")) {
            fanoutAlive = false;
        }
        if (role.startsWith("batch-") && cause == null) {
            return this; // a batch coordinator stops once it has answered
        }
        if (!closing) {
            fail(role, cause);
            return this;
        }
        // A child that stops during the close without answering must not leave the close waiting for it.
        if (role.equals("writer") && awaiting == Step.WRITER) {
            closeJournalElsewhere();
        } else if (role.equals("fanout") && awaiting == Step.FANOUT) {
            return onFanoutClosed(new FanoutClosed(cause));
        }
        return this;
    }

    private void fail(String role, Throwable cause) {
        StoreFailedException failure = new StoreFailedException(role, "the store's " + role + " actor "
                + (cause == null ? "stopped unexpectedly" : "failed: " + cause), cause);
        if (state.markFailed(failure)) {
            LOG.error("store entering failed state: {}; appends are refused, reads keep working",
                    failure.getMessage(), cause);
        }
        if (writerAlive) {
            writer.tell(new WriterActor.Fail(failure));
        }
        if (fanoutAlive) {
            state.feed.signal(); // the fan-out delivers what is visible, then ends the feed with the failure
        } else {
            state.feed.end(failure);
        }
    }

    private Behavior<Command> onClose(Close c) {
        if (closing) {
            return this;
        }
        closing = true;
        closeReplyTo = c.replyTo();
        awaiting = Step.WRITER;
        if (writerAlive) {
            writer.tell(new WriterActor.Stop(getContext().messageAdapter(WriterActor.Stopped.class,
                    s -> new WriterStopped(s.error()))));
        } else {
            closeJournalElsewhere();
        }
        return this;
    }

    /** The writer is gone: its journal is closed on the I/O dispatcher (a blocking force and close). */
    private void closeJournalElsewhere() {
        getContext().pipeToSelf(CompletableFuture.runAsync(this::closeJournal, state.ioExecutor),
                (v, e) -> new WriterStopped(e));
    }

    private void closeJournal() {
        if (state.claimJournalClose()) {
            state.journal.discardStaged();
            try {
                state.journal.close();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private Behavior<Command> onWriterStopped(WriterStopped s) {
        if (awaiting != Step.WRITER) {
            return this;
        }
        closeError = s.error();
        awaiting = Step.FANOUT;
        if (fanoutAlive) {
            fanout.tell(new FanoutActor.Close(getContext().messageAdapter(FanoutActor.Closed.class,
                    f -> new FanoutClosed(f.error()))));
            return this;
        }
        state.feed.end(state.failure());
        awaiting = null;
        return finishClose();
    }

    private Behavior<Command> onFanoutClosed(FanoutClosed f) {
        if (awaiting != Step.FANOUT) {
            return this;
        }
        awaiting = null;
        if (f.error() != null) {
            LOG.warn("close: live fan-out did not finish: {}", f.error().toString());
        }
        return finishClose();
    }

    private Behavior<Command> finishClose() {
        closeReplyTo.tell(new Closed(closeError));
        return Behaviors.stopped(); // stops every child still running
    }

    private Behavior<Command> onPostStop() {
        if (!closing) {
            // The ActorSystem is terminating without a close: leave the journal consistent for the next open.
            try {
                closeJournal();
            } catch (RuntimeException e) {
                LOG.warn("journal not closed cleanly at system termination: {}", e.toString());
            }
        }
        stopped.complete(null);
        return this;
    }
}
