package io.batpak.examples;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoreStats;
import io.batpak.core.SyncMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * Quick figures for the core journal, printed as a table: append throughput with 1 and 64 concurrent appenders
 * under EVERY_COMMIT (median of several rounds, each on a fresh store), forces per append, and reopen time of a
 * large store with and without the index checkpoint. A smoke measurement, not the benchmark harness.
 *
 * <p>Usage: {@code mvn -B -q -pl examples exec:java -Dexec.mainClass=io.batpak.examples.JournalFigures
 * -Dexec.args="<rounds> <reopenEvents> [dir]"}.
 */
public final class JournalFigures {
    private static final EventKind KIND = EventKind.of(1, 1);
    private static final int PAYLOAD_BYTES = 100;
    private static final int BATCH = 1000;

    private JournalFigures() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int reopenEvents = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        Path base = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("batpak-figures");
        System.out.printf("rounds=%d payload=%dB dir=%s%n", rounds, PAYLOAD_BYTES, base);
        for (int appenders : new int[] {1, 64}) {
            int perAppender = appenders == 1 ? 2000 : 300;
            double[] rates = new double[rounds];
            double[] fsyncsPerAppend = new double[rounds];
            double[] groups = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                Path dir = Files.createTempDirectory(base, "append");
                BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).syncMode(SyncMode.EVERY_COMMIT).build());
                try {
                    load(store, appenders, Math.max(20, perAppender / 10));
                    StoreStats before = store.stats();
                    long t0 = System.nanoTime();
                    load(store, appenders, perAppender);
                    long t1 = System.nanoTime();
                    StoreStats after = store.stats();
                    long n = (long) appenders * perAppender;
                    rates[r] = n / ((t1 - t0) / 1e9);
                    fsyncsPerAppend[r] = (after.fsyncs() - before.fsyncs()) / (double) n;
                    groups[r] = (after.appends() - before.appends()) / (double) (after.groupCommits() - before.groupCommits());
                } finally {
                    store.close().toCompletableFuture().join();
                    deleteTree(dir);
                }
            }
            System.out.printf("EVERY_COMMIT appenders=%-3d appends/s median=%.0f (min %.0f, max %.0f)  fsyncs/append=%.3f"
                            + "  appends/group=%.1f%n", appenders, median(rates), min(rates), max(rates),
                    median(fsyncsPerAppend), median(groups));
        }
        Path dir = Files.createTempDirectory(base, "reopen");
        BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).syncMode(SyncMode.NONE).build());
        byte[] payload = new byte[PAYLOAD_BYTES];
        for (int done = 0; done < reopenEvents; done += BATCH) {
            List<AppendRequest> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                batch.add(AppendRequest.of(Coordinate.of("entity:" + ((done + i) % 10_000), "bench"), KIND, payload));
            }
            store.appendBatch(batch).toCompletableFuture().join();
        }
        store.close().toCompletableFuture().join();
        long bytes;
        try (Stream<Path> s = Files.list(dir.resolve("segments"))) {
            bytes = s.mapToLong(p -> p.toFile().length()).sum();
        }
        double[] withCkpt = new double[rounds];
        double[] without = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            withCkpt[r] = reopenMillis(dir, true);
            Files.deleteIfExists(dir.resolve("index.ckpt"));
            without[r] = reopenMillis(dir, false);
            // The full-scan reopen wrote a fresh checkpoint on close; the next round uses it.
        }
        System.out.printf("reopen %d events (%d MiB of segments): with checkpoint median=%.0f ms, full scan median=%.0f ms%n",
                reopenEvents, bytes >> 20, median(withCkpt), median(without));
        deleteTree(base);
    }

    private static double reopenMillis(Path dir, boolean expectCheckpoint) {
        long t0 = System.nanoTime();
        BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).build());
        double ms = (System.nanoTime() - t0) / 1e6;
        StoreStats s = store.stats();
        if (s.openedFromCheckpoint() != expectCheckpoint) {
            throw new IllegalStateException("expected openedFromCheckpoint=" + expectCheckpoint);
        }
        store.close().toCompletableFuture().join();
        return ms;
    }

    /** Each appender issues its next append when the previous one is acknowledged. */
    private static void load(BatpakStore store, int appenders, int perAppender) {
        byte[] payload = new byte[PAYLOAD_BYTES];
        CompletableFuture<?>[] all = new CompletableFuture<?>[appenders];
        for (int i = 0; i < appenders; i++) {
            all[i] = chain(store, Coordinate.of("appender:" + i, "bench"), payload, perAppender);
        }
        CompletableFuture.allOf(all).join();
    }

    private static CompletableFuture<AppendReceipt> chain(BatpakStore store, Coordinate c, byte[] p, int left) {
        CompletableFuture<AppendReceipt> f = store.append(c, KIND, p).toCompletableFuture();
        return left <= 1 ? f : f.thenCompose(r -> chain(store, c, p, left - 1));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(0);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(0);
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
