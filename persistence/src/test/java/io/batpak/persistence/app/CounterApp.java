package io.batpak.persistence.app;

import io.batpak.actors.ChildJvm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;

/**
 * The child JVM of the crash test: {@code CounterApp <dir> <entities>} recovers every counter and prints
 * {@code STATE <id> <applied>}, then {@code READY}, then keeps each counter busy with one {@code Add} in flight
 * (the next value after its state), printing {@code ACK <id> <value>} for every acknowledged one, until it is
 * killed.
 */
public final class CounterApp {
    private static final Duration ASK = Duration.ofSeconds(30);

    private CounterApp() {
    }

    public static void main(String[] args) throws Exception {
        ChildJvm.haltWhenOrphaned("counter-app", Duration.ofMinutes(3));
        String dir = args[0];
        int entities = Integer.parseInt(args[1]);
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "counter-app",
                ConfigFactory.parseString("batpak.persistence.dir = \"" + dir + "\"")
                        .withFallback(Counter.CONFIG).withFallback(ConfigFactory.load()));
        List<ActorRef<Counter.Command>> counters = new ArrayList<>();
        for (int i = 0; i < entities; i++) {
            counters.add(system.systemActorOf(Counter.withRetention("c" + i), "c" + i,
                    org.apache.pekko.actor.typed.Props.empty()));
        }
        List<CompletableFuture<Counter.State>> states = new ArrayList<>();
        for (ActorRef<Counter.Command> c : counters) {
            states.add(AskPattern.<Counter.Command, Counter.State>ask(c, Counter.Get::new, ASK, system.scheduler())
                    .toCompletableFuture());
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < entities; i++) {
            out.append("STATE c").append(i).append(' ').append(String.join(",", states.get(i).get().applied()))
                    .append('\n');
        }
        out.append("READY\n");
        emit(out.toString());
        for (int i = 0; i < entities; i++) {
            drive(system, counters.get(i), "c" + i, states.get(i).get().lastValue() + 1);
        }
        Thread.currentThread().join();
    }

    private static void drive(ActorSystem<Void> system, ActorRef<Counter.Command> counter, String id, int value) {
        CompletionStage<Counter.State> reply = AskPattern.ask(counter,
                (ActorRef<Counter.State> r) -> new Counter.Add(value, r), ASK, system.scheduler());
        reply.whenComplete((state, error) -> {
            if (error != null) {
                emit("ERROR " + id + " " + value + " " + error + "\n");
                return;
            }
            emit("ACK " + id + " " + value + "\n");
            drive(system, counter, id, value + 1);
        });
    }

    private static synchronized void emit(String lines) {
        System.out.print(lines);
        System.out.flush();
    }
}
