package io.batpak.actors.internal;

import io.batpak.core.Region;
import io.batpak.core.internal.index.RegionQuery;
import io.batpak.core.StoredEvent;
import io.batpak.core.internal.index.EventIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * for events not yet delivered. Per event it matches each distinct region against the index columns and reads
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
    /** The last registrations seen and their grouping: registrations change far less often than turns run. */
    private FeedHub.Registration[] lastRegs = new FeedHub.Registration[0];
    private Group[] lastGroups = new Group[0];

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
     * capacity is read once, each event's payload at most once, each distinct region matched once per event, and
     * each listener gets its matching events in one {@link io.batpak.actors.FeedListener#offerAll} call at the end
     * of the turn. Listeners of the same region that take every event of the turn get one shared list.
     */
    private void deliver(long upTo) {
        List<FeedHub.Registration> regs = feed.listeners();
        if (regs.isEmpty() || upTo <= delivered) {
            delivered = Math.max(delivered, upTo);
            return;
        }
        Turn turn = new Turn(groupsFor(regs.toArray(new FeedHub.Registration[0])), delivered + 1, upTo);
        for (long g = delivered + 1; g <= upTo; g++) {
            collect(g, turn);
            delivered = g;
        }
        turn.flush();
    }

    private Group[] groupsFor(FeedHub.Registration[] regs) {
        if (Arrays.equals(regs, lastRegs)) {
            return lastGroups;
        }
        Map<Region, List<FeedHub.Registration>> byRegion = new LinkedHashMap<>();
        for (FeedHub.Registration r : regs) {
            byRegion.computeIfAbsent(r.region, k -> new ArrayList<>()).add(r);
        }
        Group[] groups = new Group[byRegion.size()];
        int i = 0;
        for (Map.Entry<Region, List<FeedHub.Registration>> e : byRegion.entrySet()) {
            groups[i++] = new Group(e.getKey(), e.getValue().toArray(new FeedHub.Registration[0]));
        }
        lastRegs = regs;
        lastGroups = groups;
        return groups;
    }

    /** Registrations of one region: it is matched once per event for all of them. Immutable. */
    private static final class Group {
        final Region region;
        final FeedHub.Registration[] members;
        /** Whether matching needs the event's entity sequence (a bounded range), which costs an index search. */
        final boolean bySequence;
        final boolean byTags;

        Group(Region region, FeedHub.Registration[] members) {
            this.region = region;
            this.members = members;
            this.bySequence = region.fromSequence() > 0 || region.toSequence() < Long.MAX_VALUE;
            this.byTags = !region.tagFilter().isEmpty();
        }
    }

    /**
     * One group's state in a turn. Each member takes a contiguous run of the group's events: the ones after its
     * start, up to its room; past its room it overflows. When every member has room for the whole turn and started
     * before it ({@link #takesAll}), no member is looked at per event.
     */
    private static final class GroupTurn {
        final Group group;
        List<StoredEvent> events = new ArrayList<>();
        final int[] room;
        /** Index in {@link #events} of each member's first event, or -1. */
        final int[] from;
        final int[] taken;
        /** Members whose events were handed over: before their first overflow, or at the end of the turn. */
        final boolean[] handed;
        final boolean takesAll;

        GroupTurn(Group group, long first, long last) {
            this.group = group;
            int n = group.members.length;
            room = new int[n];
            from = new int[n];
            taken = new int[n];
            handed = new boolean[n];
            boolean all = true;
            long span = last - first + 1;
            for (int i = 0; i < n; i++) {
                FeedHub.Registration r = group.members[i];
                room[i] = r.active() ? r.listener.capacity() : 0;
                from[i] = -1;
                all &= r.active() && r.startAfter < first && room[i] >= span;
            }
            takesAll = all;
        }

        /** Whether some member takes event {@code g} if it is read. */
        boolean wants(long g) {
            if (takesAll) {
                return true;
            }
            FeedHub.Registration[] m = group.members;
            for (int i = 0; i < m.length; i++) {
                if (g > m[i].startAfter && taken[i] < room[i] && m[i].active()) {
                    return true;
                }
            }
            return false;
        }

        /** Event {@code g} (null: it cannot be had) matched: members take it or overflow. */
        void accept(long g, StoredEvent event) {
            int at = events.size();
            if (event != null) {
                events.add(event);
            }
            if (takesAll) {
                return;
            }
            FeedHub.Registration[] m = group.members;
            for (int i = 0; i < m.length; i++) {
                FeedHub.Registration r = m[i];
                if (g <= r.startAfter || !r.active()) {
                    continue;
                }
                if (taken[i] < room[i]) {
                    if (event != null) {
                        if (from[i] < 0) {
                            from[i] = at;
                        }
                        taken[i]++;
                    }
                    continue;
                }
                // What it took this turn goes first, so it sees its events before the overflow.
                handOver(i);
                if (!r.listener.overflow(g)) {
                    r.cancel();
                }
            }
        }

        /** Member {@code i}'s run of the group's events, read-only. */
        private List<StoredEvent> takenBy(int i) {
            return Collections.unmodifiableList(events.subList(from[i], from[i] + taken[i]));
        }

        /** Hands member {@code i} what it took so far, once. */
        void handOver(int i) {
            if (handed[i]) {
                return;
            }
            handed[i] = true;
            if (from[i] >= 0) {
                offer(group.members[i], takenBy(i));
            }
        }

        /** Hands every member what it took. */
        void flush() {
            if (events.isEmpty()) {
                return;
            }
            List<StoredEvent> shared = Collections.unmodifiableList(events);
            FeedHub.Registration[] m = group.members;
            for (int i = 0; i < m.length; i++) {
                if (takesAll) {
                    offer(m[i], shared);
                } else if (!handed[i] && from[i] >= 0) {
                    handed[i] = true;
                    offer(m[i], from[i] == 0 && taken[i] == events.size() ? shared
                            : takenBy(i));
                }
            }
        }

        /**
         * After a read failure: hands every member what it took so far, then collects afresh for the rest of the
         * turn (with the room that is left).
         */
        void flushAll() {
            if (takesAll) {
                flush();
            } else {
                for (int i = 0; i < handed.length; i++) {
                    handOver(i);
                    room[i] -= taken[i];
                    taken[i] = 0;
                    from[i] = -1;
                    handed[i] = false;
                }
            }
            events = new ArrayList<>();
        }

        private static void offer(FeedHub.Registration r, List<StoredEvent> batch) {
            if (r.active() && !r.listener.offerAll(batch)) {
                r.cancel();
            }
        }
    }

    /** One turn: its groups' state. */
    private static final class Turn {
        final GroupTurn[] groups;

        Turn(Group[] groups, long first, long last) {
            this.groups = new GroupTurn[groups.length];
            for (int i = 0; i < groups.length; i++) {
                this.groups[i] = new GroupTurn(groups[i], first, last);
            }
        }

        void flush() {
            for (GroupTurn t : groups) {
                t.flush();
            }
        }
    }

    private void collect(long g, Turn turn) {
        String entity = index.entityById(index.entityIdAt(g)).name();
        String scope = index.scopeName(index.scopeIdAt(g));
        int kind = index.kindAt(g);
        long seq = -1;
        StoredEvent event = null;
        boolean read = false;
        for (GroupTurn t : turn.groups) {
            Group group = t.group;
            if (group.bySequence && seq < 0) {
                seq = index.entitySequenceAt(g);
            }
            if (!matches(group, entity, scope, kind, group.bySequence ? seq : group.region.fromSequence(), g)) {
                continue;
            }
            if (!read && t.wants(g)) {
                read = true;
                try {
                    event = state.core.readAt(g);
                } catch (RuntimeException e) {
                    // Corruption is never served: listeners get what came before it, then every listener that
                    // wanted this event ends with the error.
                    LOG.error("fan-out cannot read global sequence {}: {}", g, e.toString());
                    for (GroupTurn other : turn.groups) {
                        other.flushAll();
                    }
                    failMatching(g, turn, e, entity, scope, kind);
                    return;
                }
                if (event == null) {
                    // Removed by a compaction before this subscriber got to it: nobody receives it.
                    return;
                }
            }
            if (read) {
                t.accept(g, event);
            } else {
                // Nobody in this group has room: members that would take it overflow.
                t.accept(g, null);
            }
        }
    }

    private void failMatching(long g, Turn turn, RuntimeException e, String entity, String scope, int kind) {
        long seq = index.entitySequenceAt(g);
        for (GroupTurn t : turn.groups) {
            if (!matches(t.group, entity, scope, kind, seq, g)) {
                continue;
            }
            for (FeedHub.Registration r : t.group.members) {
                if (g > r.startAfter && r.active()) {
                    r.end(e);
                }
            }
        }
    }

    private boolean matches(Group group, String entity, String scope, int kind, long seq, long g) {
        Region region = group.region;
        if (!group.byTags) {
            return region.matches(entity, scope, kind, seq);
        }
        // The other filters first (cheap), then the tags from their posting lists: the index has no tag column.
        return region.matches(entity, scope, kind, seq, region.tagFilter()) && RegionQuery.carriesTags(index, region, g);
    }
}
