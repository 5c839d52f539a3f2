package io.batpak.cluster;

import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/** A sharded persistent counter for {@link PersistenceClusterTest}: every Add is persisted (tagged) before its reply. */
final class Counter extends EventSourcedBehavior<Counter.Command, Counter.Added, Counter.State> {
    static final String TAG = "counter";

    sealed interface Command extends ClusterMessage {
    }

    record Add(int amount, ActorRef<Long> replyTo) implements Command {
    }

    record Get(ActorRef<Long> replyTo) implements Command {
    }

    record Added(int amount) implements ClusterMessage {
    }

    record State(long total) {
    }

    static Behavior<Command> create(PersistenceId id) {
        return new Counter(id);
    }

    private Counter(PersistenceId id) {
        super(id);
    }

    @Override
    public State emptyState() {
        return new State(0);
    }

    @Override
    public CommandHandler<Command, Added, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Add.class, (state, add) -> Effect().persist(new Added(add.amount()))
                        .thenReply(add.replyTo(), s -> s.total()))
                .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state.total()))
                .build();
    }

    @Override
    public EventHandler<State, Added> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(Added.class, (state, e) -> new State(state.total() + e.amount()))
                .build();
    }

    @Override
    public Set<String> tagsFor(Added event) {
        return Set.of(TAG);
    }
}
