package io.batpak.bench;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendOptions;
import io.batpak.core.AppendRequest;
import io.batpak.core.BackupReport;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.StoreConfig;
import io.batpak.core.SyncMode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Data-lifecycle figures on one store: the time of {@code store.backup} of a store of about {@code gib} GiB
 * against a raw copy (read, write and force) of the same segment files on the same disk, and append throughput
 * with payloads sealed for a data subject ({@code AppendOptions.subject}) against plain payloads.
 *
 * <pre>java -cp bench/target/batpak-bench.jar io.batpak.bench.LifecycleBench [gib] [rounds] [data-dir]</pre>
 */
public final class LifecycleBench {
    private static final EventKind KIND = EventKind.of(0x1, 0x001);
    private static final int BATCH = 1000;
    private static final int ENTITIES = 1000;

    private LifecycleBench() {
    }

    public static void main(String[] args) throws Exception {
        double gib = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path root = Files.createDirectories(Path.of(args.length > 2 ? args[2] : "bench/target/bench-data"))
                .resolve("lifecycle-" + System.nanoTime());
        try {
            backup(root, gib, rounds);
            sealing(root, rounds);
        } finally {
            Files2.deleteTree(root);
        }
    }

    private static void backup(Path root, double gib, int rounds) throws Exception {
        Path data = root.resolve("store");
        long target = (long) (gib * (1L << 30));
        byte[] payload = new byte[1024];
        List<Double> backups = new ArrayList<>();
        List<Double> copies = new ArrayList<>();
        long bytes;
        try (BatpakStore store = BatpakStore.open(StoreConfig.builder(data).syncMode(SyncMode.NONE).build())) {
            long n = 0;
            while (segmentBytes(data) < target) {
                List<AppendRequest> batch = new ArrayList<>(BATCH);
                for (int i = 0; i < BATCH; i++, n++) {
                    batch.add(AppendRequest.of(Coordinate.of("e" + n % ENTITIES, "bench"), KIND, payload));
                }
                store.appendBatch(batch).toCompletableFuture().get(60, TimeUnit.SECONDS);
            }
            bytes = segmentBytes(data);
            System.out.printf("store: %d events, %.2f GiB of segments%n", n, bytes / (double) (1L << 30));
            for (int r = 0; r < rounds; r++) {
                Path dest = root.resolve("backup-" + r);
                long t0 = System.nanoTime();
                BackupReport report = store.backup(dest).toCompletableFuture().get(30, TimeUnit.MINUTES);
                double ms = (System.nanoTime() - t0) / 1e6;
                backups.add(ms);
                Files2.deleteTree(dest);
                Path copy = root.resolve("copy-" + r);
                t0 = System.nanoTime();
                rawCopy(data.resolve("segments"), copy);
                double copyMs = (System.nanoTime() - t0) / 1e6;
                copies.add(copyMs);
                Files2.deleteTree(copy);
                System.out.printf("round %d: backup %.0f ms (%d linked, %d copied, %d bytes copied), raw copy %.0f ms%n",
                        r, ms, report.segmentsLinked(), report.segmentsCopied(), report.bytesCopied(), copyMs);
            }
        }
        double b = Stats.median(backups);
        double c = Stats.median(copies);
        System.out.printf("backup of %.2f GiB: median %.0f ms; raw copy of the segments: median %.0f ms (%.0f MB/s);"
                + " backup/copy time %.3f%n", bytes / (double) (1L << 30), b, c, bytes / 1e6 / (c / 1e3), b / c);
    }

    private static void sealing(Path root, int rounds) throws Exception {
        byte[] payload = new byte[100];
        List<Double> plain = new ArrayList<>();
        List<Double> sealed = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            plain.add(appendRate(root.resolve("plain-" + r), payload, false));
            sealed.add(appendRate(root.resolve("sealed-" + r), payload, true));
            System.out.printf("round %d: plain %.0f events/s, sealed %.0f events/s%n", r, plain.get(r), sealed.get(r));
        }
        double p = Stats.median(plain);
        double s = Stats.median(sealed);
        System.out.printf("appends, batches of %d, 100 B, sync none: plain median %.0f events/s, sealed for %d subjects"
                + " median %.0f events/s (%.2fx)%n", BATCH, p, ENTITIES, s, s / p);
    }

    private static double appendRate(Path data, byte[] payload, boolean seal) throws Exception {
        int events = 300_000;
        try (BatpakStore store = BatpakStore.open(StoreConfig.builder(data).syncMode(SyncMode.NONE).build())) {
            long t0 = 0;
            for (int n = 0, b = 0; n < events; b++) {
                if (b == 20) {
                    t0 = System.nanoTime(); // after a warm-up of 20 batches, which also created the keys
                }
                List<AppendRequest> batch = new ArrayList<>(BATCH);
                for (int i = 0; i < BATCH; i++, n++) {
                    String entity = "e" + n % ENTITIES;
                    AppendOptions o = seal ? AppendOptions.subject("subject-" + entity) : AppendOptions.DEFAULT;
                    batch.add(AppendRequest.of(Coordinate.of(entity, "bench"), KIND, payload, o));
                }
                store.appendBatch(batch).toCompletableFuture().get(60, TimeUnit.SECONDS);
            }
            return (events - 20.0 * BATCH) / ((System.nanoTime() - t0) / 1e9);
        } finally {
            Files2.deleteTree(data);
        }
    }

    private static void rawCopy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Path t = to.resolve(f.getFileName());
                try (FileChannel in = FileChannel.open(f, StandardOpenOption.READ);
                     FileChannel out = FileChannel.open(t, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    long size = in.size();
                    long pos = 0;
                    while (pos < size) {
                        pos += in.transferTo(pos, size - pos, out);
                    }
                    out.force(true);
                }
            }
        }
    }

    private static long segmentBytes(Path data) throws IOException {
        Path segments = data.resolve("segments");
        if (!Files.isDirectory(segments)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(segments)) {
            long sum = 0;
            for (Path f : files.toList()) {
                sum += Files.size(f);
            }
            return sum;
        }
    }
}
