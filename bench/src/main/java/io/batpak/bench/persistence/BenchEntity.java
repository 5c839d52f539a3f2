package io.batpak.bench.persistence;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/** The benchmark's EventSourcedBehavior: each {@code Persist} stores one event and replies with the count. */
final class BenchEntity extends EventSourcedBehavior<BenchEntity.Command, BenchEntity.Event, BenchEntity.State> {
    /** Marker bound to Jackson CBOR in the benchmark's configuration. */
    interface Cbor {
    }

    sealed interface Command extends Cbor {
    }

    /** Persists {@code count} events in one atomic write and replies with the new event count. */
    record Persist(int count, ActorRef<Long> replyTo) implements Command {
    }

    /** Replies with the event count (after recovery). */
    record Get(ActorRef<Long> replyTo) implements Command {
    }

    /** One event: a counter and 100 bytes of text, a typical small domain event. */
    record Event(long n, String data) implements Cbor {
    }

    record State(long count) implements Cbor {
    }

    static final String DATA = "x".repeat(100);

    private BenchEntity(String id) {
        super(PersistenceId.of("Bench", id));
    }

    static Behavior<Command> create(String id) {
        return new BenchEntity(id);
    }

    @Override
    public State emptyState() {
        return new State(0);
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Persist.class, (state, p) -> {
                    List<Event> events = new ArrayList<>(p.count());
                    for (int i = 0; i < p.count(); i++) {
                        events.add(new Event(state.count() + i + 1, DATA));
                    }
                    return Effect().persist(events).thenReply(p.replyTo(), s -> s.count());
                })
                .onCommand(Get.class, (state, g) -> Effect().reply(g.replyTo(), state.count()))
                .build();
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onEvent(Event.class, (s, e) -> new State(s.count() + 1))
                .build();
    }
}
