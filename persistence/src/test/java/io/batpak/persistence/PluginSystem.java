package io.batpak.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.batpak.persistence.app.Counter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.setup.ActorSystemSetup;
import org.apache.pekko.actor.BootstrapSetup;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/** An ActorSystem with the batpak plugins on {@code dir}, for one test; {@link #close()} terminates it. */
final class PluginSystem implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    final ActorTestKit kit;
    final ActorSystem<?> system;

    private PluginSystem(ActorSystem<?> system) {
        this.system = system;
        this.kit = ActorTestKit.create(system);
    }

    static Config config(Path dir) {
        return ConfigFactory.parseString("batpak.persistence.dir = \"" + dir.toAbsolutePath() + "\"")
                .withFallback(Counter.CONFIG).withFallback(ConfigFactory.load());
    }

    static PluginSystem start(Path dir) {
        return new PluginSystem(ActorSystem.create(Behaviors.empty(), "plugins", config(dir)));
    }

    static PluginSystem start(Path dir, BatpakPersistenceSetup setup) {
        ActorSystemSetup s = ActorSystemSetup.create(BootstrapSetup.create(config(dir))).withSetup(setup);
        return new PluginSystem(ActorSystem.create(Behaviors.empty(), "plugins", s));
    }

    BatpakPersistence persistence() {
        return BatpakPersistence.get(system);
    }

    BatpakReadJournal readJournal() {
        return PersistenceQuery.get(system).getReadJournalFor(BatpakReadJournal.class, BatpakReadJournal.IDENTIFIER);
    }

    private final java.util.Map<String, ActorRef<Counter.Command>> counters = new java.util.HashMap<>();

    /** The counter {@code Counter|id} (spawned on first use). */
    ActorRef<Counter.Command> counter(String id) {
        return counters.computeIfAbsent(id, i -> kit.spawn(Counter.create(i)));
    }

    /** A counter whose persistence id is exactly {@code persistenceId} (spawned on first use). */
    ActorRef<Counter.Command> counterWithPersistenceId(String persistenceId) {
        return counters.computeIfAbsent("pid:" + persistenceId,
                i -> kit.spawn(Counter.withPersistenceId(persistenceId)));
    }

    /** Adds {@code value}, waiting for the acknowledgement. */
    Counter.State add(ActorRef<Counter.Command> counter, int value) {
        return await(AskPattern.ask(counter, (ActorRef<Counter.State> r) -> new Counter.Add(value, r), TIMEOUT,
                system.scheduler()));
    }

    /** Adds 1..n. */
    Counter.State addUpTo(ActorRef<Counter.Command> counter, int n) {
        Counter.State s = null;
        for (int v = 1; v <= n; v++) {
            s = add(counter, v);
        }
        return s;
    }

    Counter.State get(ActorRef<Counter.Command> counter) {
        return await(AskPattern.ask(counter, Counter.Get::new, TIMEOUT, system.scheduler()));
    }

    <T> List<T> run(Source<T, ?> source) {
        return await(source.runWith(Sink.seq(), system));
    }

    static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        ActorTestKit.shutdown(system, TIMEOUT);
    }
}
