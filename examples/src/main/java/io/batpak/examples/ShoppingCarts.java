package io.batpak.examples;

import com.typesafe.config.ConfigFactory;
import io.batpak.actors.BatpakStore;
import io.batpak.core.Region;
import io.batpak.core.VerifyReport;
import io.batpak.persistence.BatpakPersistence;
import io.batpak.persistence.BatpakReadJournal;
import io.batpak.streams.BatpakStreams;
import io.batpak.streams.CursorSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.NoOffset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Pekko Persistence on batpak: shopping carts as {@code EventSourcedBehavior}s on the batpak journal, restarted
 * and recovered, then the same events read three ways: {@code eventsByTag} from the read journal, a batpak cursor,
 * and {@code verify()} of the hash chain.
 */
public final class ShoppingCarts {
    /** Marker for Jackson CBOR (see the configuration below). */
    public interface CborSerializable {
    }

    public sealed interface Command extends CborSerializable {
    }

    public record AddItem(String item, int quantity, ActorRef<Cart> replyTo) implements Command {
    }

    public record GetCart(ActorRef<Cart> replyTo) implements Command {
    }

    public record ItemAdded(String item, int quantity) implements CborSerializable {
    }

    public record Cart(Map<String, Integer> items) implements CborSerializable {
        Cart add(ItemAdded e) {
            Map<String, Integer> next = new TreeMap<>(items);
            next.merge(e.item(), e.quantity(), Integer::sum);
            return new Cart(next);
        }
    }

    /** One cart: persists ItemAdded, tagged "cart" so a projection can read every cart's events. */
    static final class CartEntity extends EventSourcedBehavior<Command, ItemAdded, Cart> {
        CartEntity(String cartId) {
            super(PersistenceId.of("ShoppingCart", cartId));
        }

        static Behavior<Command> create(String cartId) {
            return new CartEntity(cartId);
        }

        @Override
        public Cart emptyState() {
            return new Cart(Map.of());
        }

        @Override
        public CommandHandler<Command, ItemAdded, Cart> commandHandler() {
            return newCommandHandlerBuilder().forAnyState()
                    .onCommand(AddItem.class, (cart, add) -> Effect().persist(new ItemAdded(add.item(), add.quantity()))
                            .thenReply(add.replyTo(), c -> c))
                    .onCommand(GetCart.class, (cart, get) -> Effect().reply(get.replyTo(), cart))
                    .build();
        }

        @Override
        public EventHandler<Cart, ItemAdded> eventHandler() {
            return newEventHandlerBuilder().forAnyState().onEvent(ItemAdded.class, Cart::add).build();
        }

        @Override
        public Set<String> tagsFor(ItemAdded event) {
            return Set.of("cart");
        }
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ShoppingCarts() {
    }

    public static void main(String[] args) throws Exception {
        run(Files.createTempDirectory("batpak-carts"), System.out);
    }

    /** Runs the example on a fresh store in {@code dir}, printing to {@code out}; throws if a result is wrong. */
    static void run(Path dir, java.io.PrintStream out) throws Exception {
        String config = """
                pekko.persistence.journal.plugin = "batpak.persistence.journal"
                pekko.persistence.snapshot-store.plugin = "batpak.persistence.snapshot"
                batpak.persistence.dir = "%s"
                pekko.actor.serialization-bindings {
                  "io.batpak.examples.ShoppingCarts$CborSerializable" = jackson-cbor
                }
                """.formatted(dir);

        // 1. Three carts persist events, then the system stops.
        ActorSystem<Void> system = start(config);
        List<ActorRef<Command>> carts = new ArrayList<>();
        for (String id : List.of("alice", "bob", "carol")) {
            carts.add(system.systemActorOf(CartEntity.create(id), id, org.apache.pekko.actor.typed.Props.empty()));
        }
        String[] items = {"apple", "bread", "cheese", "dates"};
        for (int round = 0; round < 4; round++) {
            for (ActorRef<Command> cart : carts) {
                String item = items[round];
                int quantity = 1 + round;
                await(AskPattern.ask(cart, (ActorRef<Cart> r) -> new AddItem(item, quantity, r), TIMEOUT,
                        system.scheduler()));
            }
        }
        stop(system);
        out.println("12 events persisted by 3 carts; system stopped");

        // 2. A new system recovers the carts from the journal.
        system = start(config);
        ActorRef<Command> alice = system.systemActorOf(CartEntity.create("alice"), "alice",
                org.apache.pekko.actor.typed.Props.empty());
        Cart recovered = await(AskPattern.ask(alice, GetCart::new, TIMEOUT, system.scheduler()));
        out.println("alice recovered: " + recovered.items());

        // 3. The same events through Pekko Persistence Query...
        BatpakReadJournal queries = PersistenceQuery.get(system)
                .getReadJournalFor(BatpakReadJournal.class, BatpakReadJournal.IDENTIFIER);
        List<EventEnvelope> tagged = await(queries.currentEventsByTag("cart", NoOffset.getInstance())
                .runWith(Sink.seq(), system));
        out.println("eventsByTag(\"cart\"): " + tagged.size() + " events, offsets "
                + tagged.get(0).offset() + " .. " + tagged.get(tagged.size() - 1).offset());

        // ...and through the batpak API on the very same store.
        BatpakPersistence persistence = BatpakPersistence.get(system);
        BatpakStore store = persistence.store();
        List<String> viaCursor = await(BatpakStreams.cursor(store,
                        Region.tag(BatpakPersistence.tagOf("cart")).withKind(BatpakPersistence.EVENT_KIND),
                        CursorSettings.create(system).withCompleteAtHead(true))
                .map(e -> persistence.persistentRepr(e).persistenceId() + " #" + e.entitySequence() + " "
                        + persistence.persistentRepr(e).payload())
                .runWith(Sink.seq(), system));
        out.println("batpak cursor, first event: " + viaCursor.get(0));
        VerifyReport report = store.verify();
        out.println("verify: " + (report.ok() ? "every CRC, BLAKE3 hash and chain link checks" : report));
        stop(system);
        if (tagged.size() != 12 || viaCursor.size() != 12 || !report.ok()
                || !recovered.items().equals(Map.of("apple", 1, "bread", 2, "cheese", 3, "dates", 4))) {
            throw new IllegalStateException("unexpected result");
        }
    }

    private static ActorSystem<Void> start(String config) {
        return ActorSystem.create(Behaviors.empty(), "carts", ConfigFactory.parseString(config)
                .withFallback(ConfigFactory.load()));
    }

    private static void stop(ActorSystem<Void> system) throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
}
