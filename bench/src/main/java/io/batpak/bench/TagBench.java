package io.batpak.bench;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendCondition;
import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.SyncMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What tags and append conditions cost. Each round runs every append cell once, in a fresh store, interleaved so
 * that the machine's noise hits all of them alike: 64 appenders (closed loop: each appends its next event when the
 * previous is acknowledged, 100 B payloads, own entity each), without tags and with 4 tags per event, under
 * {@code EVERY_COMMIT} and under {@code INTERVAL} (10 ms); and, under {@code EVERY_COMMIT}, unconditional appends
 * against appends each carrying a condition on its appender's tag region ({@code noneMatching(tag, own last
 * position)}, which holds, so the cost measured is the check and the held entity). Then a 1,000,000-event store
 * where every tenth event carries the tag {@code hot} (and the kind {@code 0x1000}): the time of {@code query} and
 * {@code queryIndex} returning those 100,000 events, and of {@code query} selecting the same events by their kind. Prints per cell the median events/s of the rounds and the ratios.
 *
 * <pre>java -cp bench/target/batpak-bench.jar io.batpak.bench.TagBench [events-per-cell] [rounds] [query-store-events]</pre>
 *
 * A query store of 0 events skips the query figures.
 */
public final class TagBench {
    private static final int APPENDERS = 64;
    private static final int TAGS = 4;
    private static final int BATCH = 1000;
    private static final EventKind KIND = EventKind.of(0x1, 0x001);
    private static final Duration INTERVAL = Duration.ofMillis(10);

    private TagBench() {
    }

    private enum Cell {
        NO_TAGS_EVERY_COMMIT, TAGS_EVERY_COMMIT, NO_TAGS_INTERVAL, TAGS_INTERVAL, UNCONDITIONAL, CONDITIONAL
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 32_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int queryStore = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        Map<Cell, List<Double>> rates = new LinkedHashMap<>();
        for (Cell c : Cell.values()) {
            rates.put(c, new ArrayList<>());
        }
        for (int r = 0; r < rounds; r++) {
            StringBuilder line = new StringBuilder("round " + r + ":");
            for (Cell c : Cell.values()) {
                double rate = runCell(c, events);
                rates.get(c).add(rate);
                line.append(String.format(" %s %.0f/s", c, rate));
            }
            System.out.println(line);
        }
        System.out.printf("appends, %d appenders, %d events per cell, median of %d rounds (events/s):%n", APPENDERS,
                events, rounds);
        for (Map.Entry<Cell, List<Double>> e : rates.entrySet()) {
            System.out.printf("  %-22s %.0f%n", e.getKey(), Stats.median(e.getValue()));
        }
        System.out.printf("  4 tags / none, EVERY_COMMIT: %.3f%n", ratio(rates, Cell.TAGS_EVERY_COMMIT, Cell.NO_TAGS_EVERY_COMMIT));
        System.out.printf("  4 tags / none, INTERVAL:     %.3f%n", ratio(rates, Cell.TAGS_INTERVAL, Cell.NO_TAGS_INTERVAL));
        System.out.printf("  conditional / unconditional: %.3f%n", ratio(rates, Cell.CONDITIONAL, Cell.UNCONDITIONAL));
        if (queryStore > 0) {
            tagQuery(queryStore, rounds);
        }
    }

    private static double ratio(Map<Cell, List<Double>> rates, Cell a, Cell b) {
        return Stats.median(rates.get(a)) / Stats.median(rates.get(b));
    }

    private static double runCell(Cell cell, int events) throws Exception {
        Path dir = Files.createTempDirectory("batpak-tagbench");
        SyncMode mode = cell == Cell.NO_TAGS_INTERVAL || cell == Cell.TAGS_INTERVAL ? SyncMode.interval(INTERVAL)
                : SyncMode.EVERY_COMMIT;
        boolean tags = cell == Cell.TAGS_EVERY_COMMIT || cell == Cell.TAGS_INTERVAL;
        boolean tagged = tags || cell == Cell.UNCONDITIONAL || cell == Cell.CONDITIONAL;
        try (BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).syncMode(mode).build())) {
            byte[] payload = new byte[100];
            AtomicLong remaining = new AtomicLong(events);
            List<CompletableFuture<Void>> done = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int a = 0; a < APPENDERS; a++) {
                CompletableFuture<Void> finished = new CompletableFuture<>();
                done.add(finished);
                Appender appender = new Appender(store, Coordinate.of("appender-" + a, "bench"), payload,
                        options(a, tags, tagged), cell == Cell.CONDITIONAL ? Region.tag("appender:" + a) : null,
                        remaining, finished);
                appender.next(-1);
            }
            CompletableFuture.allOf(done.toArray(new CompletableFuture[0])).join();
            long nanos = System.nanoTime() - t0;
            return events / (nanos / 1e9);
        } finally {
            Files2.deleteTree(dir);
        }
    }

    /** The options of appender {@code a}: 4 tags, its own tag only, or none. */
    private static AppendOptions options(int a, boolean fourTags, boolean ownTag) {
        if (fourTags) {
            return AppendOptions.builder().tags("appender:" + a, "customer:" + (a % 16), "sku:" + (a % 7), "region:eu")
                    .build();
        }
        return ownTag ? AppendOptions.builder().tags("appender:" + a).build() : AppendOptions.DEFAULT;
    }

    /** One closed-loop appender: the next append starts when the previous one is acknowledged. */
    private record Appender(BatpakStore store, Coordinate coordinate, byte[] payload, AppendOptions options,
                            Region conditionRegion, AtomicLong remaining, CompletableFuture<Void> finished) {
        void next(long lastPosition) {
            if (remaining.getAndDecrement() <= 0) {
                finished.complete(null);
                return;
            }
            AppendOptions o = conditionRegion == null ? options
                    : options.withCondition(AppendCondition.noneMatching(conditionRegion, lastPosition));
            store.append(coordinate, KIND, payload, o).whenComplete((AppendReceipt r, Throwable e) -> {
                if (e != null) {
                    finished.completeExceptionally(e);
                } else {
                    next(r.globalSequence());
                }
            });
        }
    }

    private static void tagQuery(int events, int rounds) throws Exception {
        Path dir = Files.createTempDirectory("batpak-tagquery");
        try {
            try (BatpakStore writer = BatpakStore.open(StoreConfig.builder(dir).syncMode(SyncMode.NONE).build())) {
                byte[] payload = new byte[100];
                for (int done = 0; done < events; done += BATCH) {
                    List<AppendRequest> batch = new ArrayList<>(BATCH);
                    for (int i = done; i < done + BATCH; i++) {
                        AppendOptions o = i % 10 == 0 ? AppendOptions.builder().tags("hot", "t:" + (i % 1000)).build()
                                : AppendOptions.builder().tags("t:" + (i % 1000)).build();
                        batch.add(AppendRequest.of(Coordinate.of("entity:" + (i % 10_000), "bench"),
                                EventKind.of(0x1, i % 10), payload, o));
                    }
                    writer.appendBatch(batch).toCompletableFuture().join();
                }
            }
            try (BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).build())) {
                // The same events, once selected by their tag and once by their kind (every tenth event is both).
                Region hot = Region.tag("hot");
                Region kind = Region.all().withKind(EventKind.of(0x1, 0));
                List<Double> full = new ArrayList<>();
                List<Double> light = new ArrayList<>();
                List<Double> byKind = new ArrayList<>();
                List<Double> ratios = new ArrayList<>();
                int matched = 0;
                for (int r = 0; r < rounds + 1; r++) { // the first round warms up and is not counted
                    long t0 = System.nanoTime();
                    matched = store.query(hot, -1, Integer.MAX_VALUE).size();
                    double q = (System.nanoTime() - t0) / 1e6;
                    t0 = System.nanoTime();
                    int indexed = store.queryIndex(hot, -1, Integer.MAX_VALUE).size();
                    double qi = (System.nanoTime() - t0) / 1e6;
                    t0 = System.nanoTime();
                    int kinded = store.query(kind, -1, Integer.MAX_VALUE).size();
                    double qk = (System.nanoTime() - t0) / 1e6;
                    if (indexed != matched || kinded != matched) {
                        throw new IllegalStateException("the tag and kind queries disagree");
                    }
                    if (r > 0) {
                        full.add(q);
                        light.add(qi);
                        byKind.add(qk);
                        ratios.add(q / qk);
                    }
                }
                System.out.printf("tag query returning %d of %d events, median of %d: query %.1f ms (%.0f events/s),"
                        + " queryIndex %.1f ms; the same events by kind: query %.1f ms; tag / kind %.2f%n", matched,
                        events, rounds, Stats.median(full), matched / (Stats.median(full) / 1e3),
                        Stats.median(light), Stats.median(byKind), Stats.median(ratios));
            }
        } finally {
            Files2.deleteTree(dir);
        }
    }
}
