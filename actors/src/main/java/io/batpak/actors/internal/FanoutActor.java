package io.batpak.actors.internal;

import io.batpak.core.Region;
import io.batpak.core.internal.index.RegionQuery;
import io.batpak.core.StoredEvent;
import io.batpak.core.internal.index.EventIndex;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes newly visible events to the {@link StoreFeed}'s listeners and wakes its waiters. Runs alone on
 * {@code batpak.fanout-dispatcher}.
 *
 * <p>It reads the index, not a queue filled by the writer: on each signal it walks from the last event it
 * delivered to the visible watermark, so it never loses an event however far it falls behind and holds no memory
 * for events not yet delivered. Per event it matches each listener's region against the index columns and reads
 * the payload once, only if a matching listener has capacity. It delivers at most
 * {@code batpak.fanout.max-events-per-turn} events per message, each listener's share of them in one hand-off at
 * the end of the turn, then continues with a message to itself.
 */
public final class FanoutActor extends AbstractBehavior<FanoutActor.Command> {
    private static final Logger LOG = LoggerFactory.getLogger(FanoutActor.class);

    /** The fan-out's protocol. */
    public sealed interface Command {
    }

    /** New events may be visible, or the store failed. */
    public enum Drain implements Command { INSTANCE }

    /** Deliver everything visible, end the feed (listeners see a normal close), answer {@code replyTo} and stop. */
    public record Close(ActorRef<Closed> replyTo) implements Command {
    }

    /** The fan-out stopped; {@code error} is null when every visible event was delivered. */
    public record Closed(Throwable error) {
    }

    private final StoreState state;
    private final FeedHub feed;
    private final EventIndex index;
    private final int maxPerTurn;
    private long delivered;

    public static Behavior<Command> create(StoreState state) {
        return Behaviors.setup(ctx -> new FanoutActor(ctx, state));
    }

    private FanoutActor(ActorContext<Command> ctx, StoreState state) {
        super(ctx);
        this.state = state;
        this.feed = state.feed;
        this.index = state.core.recovered().index();
        this.maxPerTurn = state.settings.fanoutMaxEventsPerTurn();
        // Not index.visible(): the actor may start after the first appends were committed.
        this.delivered = feed.openedAt;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessageEquals(Drain.INSTANCE, this::onDrain)
                .onMessage(Close.class, this::onClose)
                .build();
    }

    private Behavior<Command> onDrain() {
        state.faults.beforeMessage("fanout", Drain.INSTANCE);
        feed.clearSignal();
        long visible = index.visible();
        feed.wake(visible);
        long upTo = Math.min(visible, delivered + maxPerTurn);
        deliver(upTo);
        if (delivered < visible) {
            feed.signal();
        } else if (state.failure() != null && !feed.ended()) {
            feed.end(state.failure());
        }
        return this;
    }

    private Behavior<Command> onClose(Close close) {
        Throwable error = null;
        try {
            deliver(index.visible());
        } catch (RuntimeException e) {
            error = e;
        }
        feed.end(state.failure());
        close.replyTo().tell(new Closed(error));
        return Behaviors.stopped();
    }

    /**
     * Delivers the events after {@code delivered} up to and including {@code upTo} as one turn: each listener's
     * capacity is read once, each event's payload at most once, and each listener gets its matching events in one
     * {@link io.batpak.actors.FeedListener#offerAll} call at the end of the turn. A listener that takes every event
     * of the turn gets the turn's own list, shared with the others like it.
     */
    private void deliver(long upTo) {
        List<FeedHub.Registration> regs = feed.listeners();
        if (regs.isEmpty() || upTo <= delivered) {
            delivered = Math.max(delivered, upTo);
            return;
        }
        FeedHub.Registration[] snapshot = regs.toArray(new FeedHub.Registration[0]);
        Turn turn = new Turn(snapshot);
        for (long g = delivered + 1; g <= upTo; g++) {
            collect(g, turn);
            delivered = g;
        }
        turn.flush();
    }

    /** One turn's state: room left and events collected per listener, and every event read. */
    private static final class Turn {
        final FeedHub.Registration[] regs;
        final int[] room;
        final List<StoredEvent>[] pending;
        List<StoredEvent> all = new ArrayList<>();

        @SuppressWarnings("unchecked")
        Turn(FeedHub.Registration[] regs) {
            this.regs = regs;
            this.room = new int[regs.length];
            this.pending = new List[regs.length];
            for (int i = 0; i < regs.length; i++) {
                room[i] = regs[i].active() ? regs[i].listener.capacity() : 0;
            }
        }

        /** Hands listener {@code i} what was collected for it so far. */
        void flushOne(int i) {
            List<StoredEvent> mine = pending[i];
            if (mine != null && !mine.isEmpty()) {
                pending[i] = null;
                FeedHub.Registration r = regs[i];
                if (r.active() && !r.listener.offerAll(Collections.unmodifiableList(mine))) {
                    r.cancel();
                }
            }
        }

        /** Hands every listener what was collected for it, then starts afresh. */
        void flush() {
            List<StoredEvent> shared = Collections.unmodifiableList(all);
            for (int i = 0; i < regs.length; i++) {
                List<StoredEvent> mine = pending[i];
                if (mine == null || mine.isEmpty()) {
                    continue;
                }
                pending[i] = null;
                FeedHub.Registration r = regs[i];
                // Collected events are a subsequence of the turn's: the same size means the same events.
                List<StoredEvent> batch = mine.size() == all.size() ? shared : Collections.unmodifiableList(mine);
                if (r.active() && !r.listener.offerAll(batch)) {
                    r.cancel();
                }
            }
            all = new ArrayList<>();
        }
    }

    private void collect(long g, Turn turn) {
        String entity = index.entityById(index.entityIdAt(g)).name();
        String scope = index.scopeName(index.scopeIdAt(g));
        int kind = index.kindAt(g);
        FeedHub.Registration[] regs = turn.regs;
        StoredEvent event = null;
        for (int i = 0; i < regs.length; i++) {
            FeedHub.Registration r = regs[i];
            if (g <= r.startAfter || !r.active() || !matches(r.region, entity, scope, kind, g)) {
                continue;
            }
            if (turn.room[i] <= 0) {
                // What it took this turn goes first, so it sees its events before the overflow.
                turn.flushOne(i);
                if (!r.listener.overflow(g)) {
                    r.cancel();
                }
                continue;
            }
            if (event == null) {
                try {
                    event = state.core.readAt(g);
                    if (event == null) {
                        // Removed by a compaction before this subscriber got to it: nobody receives it.
                        return;
                    }
                } catch (RuntimeException e) {
                    // Corruption is never served: listeners get what came before it, then every listener that
                    // wanted this event ends with the error.
                    LOG.error("fan-out cannot read global sequence {}: {}", g, e.toString());
                    turn.flush();
                    failMatching(g, regs, e, entity, scope, kind);
                    return;
                }
                turn.all.add(event);
            }
            turn.room[i]--;
            List<StoredEvent> mine = turn.pending[i];
            if (mine == null) {
                mine = new ArrayList<>();
                turn.pending[i] = mine;
            }
            mine.add(event);
        }
    }

    private void failMatching(long g, FeedHub.Registration[] regs, RuntimeException e, String entity, String scope,
                              int kind) {
        for (FeedHub.Registration r : regs) {
            if (g > r.startAfter && r.active() && matches(r.region, entity, scope, kind, g)) {
                r.end(e);
            }
        }
    }

    private boolean matches(Region region, String entity, String scope, int kind, long g) {
        long seq = index.entitySequenceAt(g);
        if (region.tagFilter().isEmpty()) {
            return region.matches(entity, scope, kind, seq);
        }
        // The other filters first (cheap), then the tags from their posting lists: the index has no tag column.
        return region.matches(entity, scope, kind, seq, region.tagFilter()) && RegionQuery.carriesTags(index, region, g);
    }
}
