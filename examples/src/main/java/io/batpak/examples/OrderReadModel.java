package io.batpak.examples;

import io.batpak.actors.BatpakStore;
import io.batpak.core.Coordinate;
import io.batpak.core.EventType;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.projections.Freshness;
import io.batpak.projections.Keys;
import io.batpak.projections.Projection;
import io.batpak.projections.Projections;
import io.batpak.projections.ReadModel;
import io.batpak.projections.ReadModelControl;
import io.batpak.projections.ReadView;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A read model of orders: orders per customer and revenue per day, kept exactly once in LMDB while orders are
 * appended, queried while it runs, stopped and restarted mid-way without counting anything twice; and an entity
 * projection (one customer's order total) answered from its cache.
 */
public final class OrderReadModel {
    /** An order, stored as a typed event (kind 0x3001). */
    @EventType(category = 0x3, type = 0x001)
    public record OrderPlaced(String orderId, String customer, long cents, String day) {
    }

    /** One customer's orders, as an entity projection state. */
    public record CustomerTotal(long orders, long cents) {
    }

    static final String PER_CUSTOMER = "orders-per-customer";
    static final String PER_DAY = "revenue-per-day";

    /** Every OrderPlaced adds 1 to its customer and its amount to its day, in the transaction of its batch. */
    static final ReadModel MODEL = ReadModel.of("orders", Region.entity("customer").withKind(
            io.batpak.core.EventTypeRegistry.describe(OrderPlaced.class).kind()), List.of(PER_CUSTOMER, PER_DAY),
            (event, txn) -> {
                OrderPlaced o = event.payloadAs(OrderPlaced.class);
                txn.addLong(PER_CUSTOMER, Keys.of(o.customer()), 1);
                txn.addLong(PER_DAY, Keys.of(o.day()), o.cents());
            });

    static final Projection<CustomerTotal> CUSTOMER_TOTAL = Projection.builder("customer-total", CustomerTotal.class)
            .initial(new CustomerTotal(0, 0))
            .on(OrderPlaced.class, (t, o) -> new CustomerTotal(t.orders() + 1, t.cents() + o.cents()))
            .build();

    private OrderReadModel() {
    }

    public static void main(String[] args) throws Exception {
        run(Files.createTempDirectory("batpak-orders"), System.out);
    }

    /** Runs the example in {@code dir}, printing to {@code out}; throws if the model disagrees with the store. */
    static void run(Path dir, PrintStream out) throws Exception {
        String[] customers = {"ada", "grace", "linus", "margaret"};
        String[] days = {"2026-12-01", "2026-12-02"};
        Random random = new Random(7);
        long[] placed = {0};
        Map<String, Long> expectedPerCustomer = new TreeMap<>();
        Map<String, Long> expectedPerDay = new TreeMap<>();
        try (BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).eventType(OrderPlaced.class).build())) {
            Projections projections = Projections.open(store);
            ReadModelControl model = projections.start(MODEL);
            Runnable placeSome = () -> {
                for (int i = 0; i < 500; i++) {
                    String customer = customers[random.nextInt(customers.length)];
                    String day = days[random.nextInt(days.length)];
                    long cents = 100 + random.nextInt(10_000);
                    OrderPlaced order = new OrderPlaced("o-" + placed[0]++, customer, cents, day);
                    store.appendTyped(Coordinate.of("customer:" + customer, "shop"), order).toCompletableFuture().join();
                    expectedPerCustomer.merge(customer, 1L, Long::sum);
                    expectedPerDay.merge(day, cents, Long::sum);
                }
            };
            placeSome.run();
            out.println("while appending, the model has counted "
                    + projections.query(MODEL, v -> sum(v, PER_CUSTOMER)) + " orders so far");

            model.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
            long stoppedAt = projections.offset("orders");
            placeSome.run();                       // appended while the model is stopped
            model = projections.start(MODEL);      // resumes after its own committed offset
            placeSome.run();
            model.awaitOffset(store.lastGlobalSequence()).toCompletableFuture().get(60, TimeUnit.SECONDS);
            out.println("restarted after offset " + stoppedAt + "; caught up at " + projections.offset("orders"));

            Map<String, Long> perCustomer = projections.query(MODEL, v -> read(v, PER_CUSTOMER));
            Map<String, Long> perDay = projections.query(MODEL, v -> read(v, PER_DAY));
            out.println("orders per customer: " + perCustomer);
            out.println("revenue per day (cents): " + perDay);
            CustomerTotal ada = projections.project("customer:ada", CUSTOMER_TOTAL, Freshness.consistent());
            out.println("customer:ada projected: " + ada);
            model.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
            projections.close();
            if (!perCustomer.equals(expectedPerCustomer) || !perDay.equals(expectedPerDay)
                    || ada.orders() != expectedPerCustomer.get("ada")) {
                throw new IllegalStateException("the read model disagrees with the orders appended");
            }
            out.println("every order counted exactly once: " + placed[0] + " orders");
        }
    }

    private static long sum(ReadView view, String db) {
        long total = 0;
        for (ReadView.KeyValue kv : view.range(db, null, null, Integer.MAX_VALUE)) {
            total += Keys.toLong(kv.value());
        }
        return total;
    }

    private static Map<String, Long> read(ReadView view, String db) {
        Map<String, Long> out = new TreeMap<>();
        for (ReadView.KeyValue kv : view.range(db, null, null, Integer.MAX_VALUE)) {
            out.put(Keys.toString(kv.key()), Keys.toLong(kv.value()));
        }
        return out;
    }
}
