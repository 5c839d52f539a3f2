package io.batpak.actors.internal;

import io.batpak.core.Region;
import io.batpak.core.internal.index.RegionQuery;
import io.batpak.core.StoredEvent;
import io.batpak.core.internal.index.EventIndex;
import io.batpak.core.internal.journal.StoreCore;
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
 * {@code batpak.fanout.max-events-per-turn} events per message, then continues with a message to itself.
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

    /** Delivers the events after {@code delivered} up to and including {@code upTo}. */
    private void deliver(long upTo) {
        List<FeedHub.Registration> regs = feed.listeners();
        if (regs.isEmpty()) {
            delivered = Math.max(delivered, upTo);
            return;
        }
        FeedHub.Registration[] snapshot = regs.toArray(new FeedHub.Registration[0]);
        for (long g = delivered + 1; g <= upTo; g++) {
            deliverOne(g, snapshot);
            delivered = g;
        }
    }

    private void deliverOne(long g, FeedHub.Registration[] regs) {
        String entity = index.entityById(index.entityIdAt(g)).name();
        String scope = index.scopeName(index.scopeIdAt(g));
        int kind = index.kindAt(g);
        StoredEvent event = null;
        for (FeedHub.Registration r : regs) {
            if (g <= r.startAfter || !r.active() || !matches(r.region, entity, scope, kind, g)) {
                continue;
            }
            if (!r.listener.hasCapacity()) {
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
                    // Corruption is never served: every listener that wanted this event ends with the error.
                    LOG.error("fan-out cannot read global sequence {}: {}", g, e.toString());
                    failMatching(g, regs, e, entity, scope, kind);
                    return;
                }
            }
            if (!r.listener.offer(event)) {
                r.cancel();
            }
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
