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
 * against a raw copy (read, write and force) of the same segment files on the same disk; the rate of
 * {@code store.compact} (MB/s of sealed segments rewritten, with {@code withMaxEventsPerEntity} set to half of a pre-built
 * entity's events)
 * against that raw copy, and the append rate while the compaction runs against the rate just before it; and append
 * throughput with payloads sealed for a data subject ({@code AppendOptions.subject}) against plain payloads.
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
            Path template = backup(root, gib, rounds);
            compaction(root, template, rounds);
            Files2.deleteTree(template);
            sealing(root, rounds);
        } finally {
            Files2.deleteTree(root);
        }
    }

    /** Returns the store it built (closed), for the compaction rounds. */
    private static Path backup(Path root, double gib, int rounds) throws Exception {
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
        return data;
    }

    private static void compaction(Path root, Path template, int rounds) throws Exception {
        List<Double> compactRates = new ArrayList<>();
        List<Double> copyRates = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        byte[] payload = new byte[100];
        for (int r = 0; r < rounds; r++) {
            Path data = root.resolve("compact-" + r);
            rawCopy(template.resolve("segments"), data.resolve("segments"));
            long t0 = System.nanoTime();
            Path copy = root.resolve("copy-c-" + r);
            rawCopy(data.resolve("segments"), copy);
            double copyS = (System.nanoTime() - t0) / 1e9;
            long bytes = segmentBytes(data);
            Files2.deleteTree(copy);
            copyRates.add(bytes / 1e6 / copyS);
            try (BatpakStore store = BatpakStore.open(StoreConfig.builder(data).syncMode(SyncMode.NONE).build())) {
                int perEntity = (int) (store.lastEntitySequence("e0") + 1);
                // Appends alone for a while, then while the compaction runs: the same appender, the same batches.
                java.util.concurrent.atomic.AtomicLong appended = new java.util.concurrent.atomic.AtomicLong();
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                Thread appender = new Thread(() -> {
                    long n = 0;
                    while (!stop.get()) {
                        List<AppendRequest> batch = new ArrayList<>(BATCH);
                        for (int i = 0; i < BATCH; i++, n++) {
                            batch.add(AppendRequest.of(Coordinate.of("live" + n % ENTITIES, "bench"), KIND, payload));
                        }
                        try {
                            store.appendBatch(batch).toCompletableFuture().get(60, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        appended.addAndGet(BATCH);
                    }
                });
                appender.start();
                Thread.sleep(2000); // warm-up
                long a0 = appended.get();
                long w0 = System.nanoTime();
                Thread.sleep(3000);
                double alone = (appended.get() - a0) / ((System.nanoTime() - w0) / 1e9);
                long a1 = appended.get();
                long c0 = System.nanoTime();
                // Keep half of a pre-built entity's events per entity; the live entities, which by then hold more
                // events each, fall under the same limit, so most of the store goes.
                io.batpak.core.CompactionReport report = store.compact(io.batpak.core.CompactionPlan.ERASE_ONLY
                        .withMaxEventsPerEntity(perEntity / 2)).toCompletableFuture().get(30, TimeUnit.MINUTES);
                double compactS = (System.nanoTime() - c0) / 1e9;
                double during = (appended.get() - a1) / compactS;
                stop.set(true);
                appender.join();
                double rate = report.bytesBefore() / 1e6 / compactS;
                compactRates.add(rate);
                ratios.add(during / alone);
                System.out.printf("round %d: compaction of %d segments, %.0f MB -> %.0f MB (%d events removed) in"
                                + " %.0f ms = %.0f MB/s; raw copy %.0f MB/s; appends alone %.0f/s, during %.0f/s%n", r,
                        report.segmentsRewritten(), report.bytesBefore() / 1e6, report.bytesAfter() / 1e6,
                        report.eventsRemoved(), compactS * 1e3, rate, copyRates.get(r), alone, during);
            }
            Files2.deleteTree(data);
        }
        double c = Stats.median(compactRates);
        double raw = Stats.median(copyRates);
        System.out.printf("compaction: median %.0f MB/s of sealed segments rewritten; raw copy median %.0f MB/s;"
                + " compaction/copy %.2f; appends during compaction / before it: median %.2f%n", c, raw, c / raw,
                Stats.median(ratios));
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
