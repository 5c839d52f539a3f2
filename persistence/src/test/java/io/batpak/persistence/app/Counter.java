package io.batpak.persistence.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * A test entity: each {@code Add(v)} persists one event, or (every third value) two events at once with
 * {@code persist(List)}, so a recovered state shows whether an atomic write was torn. {@link #withRetention}
 * snapshots and deletes old events, so recovery goes through snapshots and deletion marks too.
 */
public final class Counter extends EventSourcedBehavior<Counter.Command, Counter.Added, Counter.State> {
    /** Jackson CBOR for the test types, the batpak plugins, quiet logs. */
    public static final Config CONFIG = ConfigFactory.parseString("""
            pekko.actor.serialization-bindings { "io.batpak.persistence.app.CborSerializable" = jackson-cbor }
            pekko.persistence.journal.plugin = "batpak.persistence.journal"
            pekko.persistence.snapshot-store.plugin = "batpak.persistence.snapshot"
            pekko.loglevel = WARNING
            """);

    public static final String ENTITY_TYPE = "Counter";
    public static final String TAG = "counted";

    public sealed interface Command extends CborSerializable {
    }

    /** Adds {@code value}; replies with the state once its events are persisted. */
    public record Add(int value, ActorRef<State> replyTo) implements Command {
    }

    /** Replies with the state. */
    public record Get(ActorRef<State> replyTo) implements Command {
    }

    /** One event: {@code part} 0 for a single event, 1 and 2 for the two events of one atomic write. */
    public record Added(int value, int part) implements CborSerializable {
    }

    /** The applied events, as text ({@code 1,2,3.1,3.2,...}) and their count. */
    public record State(List<String> applied) implements CborSerializable {
        public State add(Added e) {
            List<String> next = new ArrayList<>(applied);
            next.add(e.part() == 0 ? Integer.toString(e.value()) : e.value() + "." + e.part());
            return new State(next);
        }

        /** The highest fully applied value, 0 when none. */
        public int lastValue() {
            if (applied.isEmpty()) {
                return 0;
            }
            String last = applied.get(applied.size() - 1);
            int dot = last.indexOf('.');
            return Integer.parseInt(dot < 0 ? last : last.substring(0, dot));
        }
    }

    /** What a correct history of values 1..k looks like. */
    public static List<String> expected(int k) {
        List<String> out = new ArrayList<>();
        for (int v = 1; v <= k; v++) {
            if (v % 3 == 0) {
                out.add(v + ".1");
                out.add(v + ".2");
            } else {
                out.add(Integer.toString(v));
            }
        }
        return out;
    }

    private final String id;
    private final boolean retention;

    private Counter(String id, boolean retention) {
        this(PersistenceId.of(ENTITY_TYPE, id), retention);
    }

    private Counter(PersistenceId persistenceId, boolean retention) {
        super(persistenceId);
        this.id = persistenceId.id();
        this.retention = retention;
    }

    /** A counter without snapshots whose persistence id is exactly {@code persistenceId}. */
    public static Behavior<Command> withPersistenceId(String persistenceId) {
        return new Counter(PersistenceId.ofUniqueId(persistenceId), false);
    }

    /** A counter without snapshots. */
    public static Behavior<Command> create(String id) {
        return new Counter(id, false);
    }

    /** A counter that snapshots every 20 events, keeps two snapshots and deletes the events they cover. */
    public static Behavior<Command> withRetention(String id) {
        return new Counter(id, true);
    }

    @Override
    public State emptyState() {
        return new State(List.of());
    }

    @Override
    public CommandHandler<Command, Added, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Add.class, (state, add) -> {
                    List<Added> events = add.value() % 3 == 0
                            ? List.of(new Added(add.value(), 1), new Added(add.value(), 2))
                            : List.of(new Added(add.value(), 0));
                    return Effect().persist(events).thenReply(add.replyTo(), s -> s);
                })
                .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state))
                .build();
    }

    @Override
    public EventHandler<State, Added> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onEvent(Added.class, State::add).build();
    }

    @Override
    public Set<String> tagsFor(Added event) {
        return Set.of(TAG);
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return retention ? RetentionCriteria.snapshotEvery(20, 2).withDeleteEventsOnSnapshot()
                : RetentionCriteria.disabled();
    }

    @Override
    public String toString() {
        return "Counter " + id;
    }
}
