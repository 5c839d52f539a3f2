package io.batpak.examples;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.streams.BatpakStreams;
import io.batpak.streams.Reaction;
import io.batpak.streams.ReactorControl;
import io.batpak.streams.Subscription;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * A live dashboard of a shop's orders, built from a subscription and a reactor.
 *
 * <ul>
 *   <li>Four producer threads place orders of random amounts on {@code order:<n>} for five seconds.</li>
 *   <li>A live subscription on {@code Region.entity("order")} aggregates them per second and prints one line:
 *       orders/s, the amount ordered, how many events the subscription dropped so far, and how far the reactor
 *       is behind.</li>
 *   <li>A reactor ({@code runReactor}, id {@code shipping}) on the {@code OrderPlaced} events requests a shipment
 *       for every large order: it appends {@code ShipmentRequested} on {@code shipment:<n>}, with the order's event
 *       id as causation id.</li>
 * </ul>
 * At the end it waits until the reactor has seen every order, stops it, checks that there is exactly one shipment
 * per large order and that every shipment's causation id names a placed order, and closes the store. The store
 * lives in a temporary directory, deleted at the end.
 *
 * <p>Run with {@code mvn -B -q -pl examples exec:java -Dexec.mainClass=io.batpak.examples.LiveDashboard}.
 */
public final class LiveDashboard {
    /** An order was placed; amounts are in cents. */
    public record OrderPlaced(String orderId, String customer, long cents) {
    }

    /** The shipping reactor asks for a large order to be shipped. */
    public record ShipmentRequested(String orderId, long cents) {
    }

    static final EventKind ORDER_PLACED = EventKind.of(0x1, 0x001);
    static final EventKind SHIPMENT_REQUESTED = EventKind.of(0x2, 0x001);
    static final String SCOPE = "shop";
    /** Orders of at least this many cents ($900.00) are shipped by the reactor. */
    static final long LARGE_ORDER_CENTS = 90_000;
    static final int PRODUCERS = 4;
    static final Duration RUN_FOR = Duration.ofSeconds(5);
    private static final String[] CUSTOMERS = {"ada", "grace", "edsger", "barbara", "donald", "frances"};

    private LiveDashboard() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("batpak-dashboard");
        System.out.println("store directory: " + dir);
        try {
            run(dir);
        } finally {
            deleteTree(dir);
        }
    }

    private static void run(Path dir) throws Exception {
        BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).build());
        boolean closed = false;
        try {
            // The reactor: one ShipmentRequested per large order. It must be deterministic (a restart replays the
            // orders after its checkpoint, and the idempotency keys it derives recognise reactions already stored).
            ReactorControl shipping = BatpakStreams.runReactor(store, Region.entity("order").withKind(ORDER_PLACED),
                    event -> {
                        OrderPlaced order = event.payloadAs(OrderPlaced.class);
                        if (order.cents() < LARGE_ORDER_CENTS) {
                            return List.of();
                        }
                        return List.of(Reaction.of(Coordinate.of("shipment:" + order.orderId(), SCOPE),
                                SHIPMENT_REQUESTED, new ShipmentRequested(order.orderId(), order.cents())));
                    }, "shipping");

            // The dashboard: a live subscription, grouped per second. A live subscription never slows the
            // producers; if the dashboard fell behind by more than its buffer it would drop events (and count them).
            long start = System.nanoTime();
            AtomicReference<Subscription> live = new AtomicReference<>();
            AtomicLong liveOrders = new AtomicLong();
            Pair<Subscription, CompletionStage<Done>> dashboard = BatpakStreams.subscribe(store, Region.entity("order"))
                    .groupedWithin(1_000_000, Duration.ofSeconds(1))
                    .toMat(Sink.foreach(orders -> {
                        long cents = 0;
                        long large = 0;
                        for (StoredEvent e : orders) {
                            long c = e.payloadAs(OrderPlaced.class).cents();
                            cents += c;
                            large += c >= LARGE_ORDER_CENTS ? 1 : 0;
                        }
                        liveOrders.addAndGet(orders.size());
                        Subscription s = live.get();
                        // How far the reactor's cursor is behind the newest order the dashboard has seen.
                        long behind = orders.get(orders.size() - 1).globalSequence() - shipping.cursor().position();
                        System.out.printf(Locale.ROOT, "t=%4.1fs  orders/s %,6d  amount %15s  large %,5d  "
                                        + "dropped %,d  reactor %,d events behind%n",
                                (System.nanoTime() - start) / 1e9, orders.size(), dollars(cents), large,
                                s == null ? 0 : s.dropped(), Math.max(0, behind));
                    }), Keep.both())
                    .run(store.system());
            live.set(dashboard.first());

            // The shop: producer threads placing orders until the time is up.
            AtomicLong nextOrder = new AtomicLong();
            AtomicLong lastOrderSequence = new AtomicLong(-1);
            AtomicLong largeOrders = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long end = start + RUN_FOR.toNanos();
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                SplittableRandom random = new SplittableRandom(42 + p);
                Thread t = new Thread(() -> {
                    try {
                        while (System.nanoTime() < end) {
                            String id = Long.toString(nextOrder.incrementAndGet());
                            // Mostly small orders, one in ten of $900 or more.
                            long cents = random.nextInt(10) == 0 ? random.nextLong(LARGE_ORDER_CENTS, 500_000)
                                    : random.nextLong(100, LARGE_ORDER_CENTS);
                            OrderPlaced order = new OrderPlaced(id, CUSTOMERS[random.nextInt(CUSTOMERS.length)], cents);
                            AppendReceipt r = store.append(Coordinate.of("order:" + id, SCOPE), ORDER_PLACED, order)
                                    .toCompletableFuture().join();
                            lastOrderSequence.accumulateAndGet(r.globalSequence(), Math::max);
                            if (cents >= LARGE_ORDER_CENTS) {
                                largeOrders.incrementAndGet();
                            }
                        }
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                    }
                }, "producer-" + p);
                producers.add(t);
                t.start();
            }
            for (Thread t : producers) {
                t.join();
            }
            if (failure.get() != null) {
                throw new IllegalStateException("a producer failed", failure.get());
            }
            long placed = nextOrder.get();

            // Let the reactor see the last order, then stop it: reactions in flight finish first.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (shipping.cursor().position() < lastOrderSequence.get()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the reactor is still at global sequence "
                            + shipping.cursor().position() + " of " + lastOrderSequence.get());
                }
                Thread.sleep(10);
            }
            shipping.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);

            // Read back what is stored and check every reaction against its cause.
            List<StoredEvent> orders = readAll(store, Region.entity("order"));
            List<StoredEvent> shipments = readAll(store, Region.entity("shipment"));
            for (StoredEvent shipment : shipments) {
                Optional<EventId> cause = shipment.causationId();
                StoredEvent order = cause.flatMap(store::get).orElseThrow(() -> new IllegalStateException(
                        shipment.coordinate() + " has no stored cause: causation id " + cause));
                ShipmentRequested s = shipment.payloadAs(ShipmentRequested.class);
                OrderPlaced o = order.payloadAs(OrderPlaced.class);
                if (!order.kind().equals(ORDER_PLACED) || !order.coordinate().entity().equals("order:" + s.orderId())
                        || o.cents() < LARGE_ORDER_CENTS || o.cents() != s.cents()
                        || !shipment.correlationId().equals(order.correlationId())) {
                    throw new IllegalStateException(shipment.coordinate() + " was caused by " + order.coordinate()
                            + " " + o + ", which does not match " + s);
                }
            }
            if (orders.size() != placed || shipments.size() != largeOrders.get()) {
                throw new IllegalStateException("stored " + orders.size() + " orders and " + shipments.size()
                        + " shipments; placed " + placed + " orders, " + largeOrders.get() + " of them large");
            }

            store.closeAsync().toCompletableFuture().get(30, TimeUnit.SECONDS);
            closed = true;
            // The close completes the live subscription once it has offered every order.
            dashboard.second().toCompletableFuture().get(10, TimeUnit.SECONDS);
            System.out.println();
            System.out.printf(Locale.ROOT, "orders placed: %,d (stored: %,d; the dashboard saw %,d live, dropped %,d)%n",
                    placed, orders.size(), liveOrders.get(), dashboard.first().dropped());
            System.out.printf(Locale.ROOT, "shipments requested by the reactor: %,d, one per large order (%,d); every "
                    + "causation id names its placed order%n", shipments.size(), largeOrders.get());
            System.out.println("reactor stopped, store closed");
        } finally {
            if (!closed) {
                store.closeAsync().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Every stored event of {@code region}, paging with {@code query}. */
    private static List<StoredEvent> readAll(BatpakStore store, Region region) {
        List<StoredEvent> out = new ArrayList<>();
        long after = -1;
        while (true) {
            List<StoredEvent> page = store.query(region, after, 10_000);
            if (page.isEmpty()) {
                return out;
            }
            out.addAll(page);
            after = page.get(page.size() - 1).globalSequence();
        }
    }

    private static String dollars(long cents) {
        return String.format(Locale.ROOT, "$%,d.%02d", cents / 100, cents % 100);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
