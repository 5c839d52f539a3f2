package io.batpak.examples;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.ExpectedSequence;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.SequenceMismatchException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;

/**
 * Opens a store, appends with and without conditions, appends an atomic batch, reads back and closes.
 * Run with {@code mvn -B -q -pl examples exec:java} (optionally {@code -Dexec.args=/some/dir}).
 */
public final class Quickstart {
    /** A payload type: any Jackson-serialisable class or record works. */
    public record OrderPlaced(String orderId, String customer, long cents) {
    }

    /** Another payload type. */
    public record ItemAdded(String sku, int quantity) {
    }

    static final EventKind ORDER_PLACED = EventKind.of(0x1, 0x001);
    static final EventKind ITEM_ADDED = EventKind.of(0x1, 0x002);

    private Quickstart() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("batpak-quickstart");
        System.out.println("store directory: " + dir);
        BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).build());
        try {
            Coordinate order = Coordinate.of("order:42", "shop");

            // 1. A plain append: the receipt arrives once the event is on disk.
            AppendReceipt placed = store.append(order, ORDER_PLACED, new OrderPlaced("42", "ada", 1999),
                    AppendOptions.builder().expect(ExpectedSequence.NO_STREAM).build()).toCompletableFuture().join();
            System.out.printf("appended %s: entity seq %d, global seq %d, hash %s%n", placed.eventId(),
                    placed.entitySequence(), placed.globalSequence(), placed.eventHash());

            // 2. A conditional append that wins, and one that loses (stale expected sequence).
            store.append(order, ITEM_ADDED, new ItemAdded("book", 1),
                    AppendOptions.builder().expect(ExpectedSequence.exact(0)).build()).toCompletableFuture().join();
            try {
                store.append(order, ITEM_ADDED, new ItemAdded("pen", 2),
                        AppendOptions.builder().expect(ExpectedSequence.exact(0)).build()).toCompletableFuture().join();
            } catch (CompletionException e) {
                SequenceMismatchException m = (SequenceMismatchException) e.getCause();
                System.out.println("conditional append refused as expected: " + m.getMessage());
            }

            // 3. An idempotent append retried: the retry returns the original receipt.
            UUID key = UUID.randomUUID();
            AppendOptions keyed = AppendOptions.builder().idempotencyKey(key).build();
            AppendReceipt first = store.append(order, ITEM_ADDED, new ItemAdded("mug", 1), keyed).toCompletableFuture().join();
            AppendReceipt retry = store.append(order, ITEM_ADDED, new ItemAdded("mug", 1), keyed).toCompletableFuture().join();
            System.out.println("idempotent retry returned the original receipt: " + first.equals(retry));

            // 4. An atomic batch across two entities: all or nothing, contiguous global sequences.
            Coordinate other = Coordinate.of("order:43", "shop");
            List<AppendReceipt> batch = store.appendBatch(List.of(
                    AppendRequest.of(other, ORDER_PLACED, new OrderPlaced("43", "grace", 500)),
                    AppendRequest.of(other, ITEM_ADDED, new ItemAdded("lamp", 1)),
                    AppendRequest.of(order, ITEM_ADDED, new ItemAdded("gift-wrap", 1)))).toCompletableFuture().join();
            System.out.println("batch committed at global sequences " + batch.get(0).globalSequence() + ".."
                    + batch.get(batch.size() - 1).globalSequence());

            // 5. Read back.
            for (StoredEvent e : store.readEntity("order:42", 0, 100)) {
                Object payload = e.kind().equals(ORDER_PLACED) ? e.payloadAs(OrderPlaced.class) : e.payloadAs(ItemAdded.class);
                System.out.printf("  order:42 #%d (global %d) %s %s%n", e.entitySequence(), e.globalSequence(),
                        e.kind(), payload);
            }
            System.out.println("get by id: " + store.get(placed.eventId()).map(StoredEvent::toString).orElse("missing"));
            System.out.println("stats: " + store.stats());
        } finally {
            store.closeAsync().toCompletableFuture().join();
        }
        System.out.println("closed; reopen reads the index checkpoint and scans only the tail after it.");
        System.out.println("look into it: bin/batpak info " + dir + "  (or query, verify, tail; bin/batpak --help)");
    }
}
