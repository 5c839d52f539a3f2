package io.batpak.examples;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.IndexEntry;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.SyncMode;
import io.batpak.core.ReadOnlyStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Index figures on a store of {@code events} events (10,000 entities of equal size, 10 kinds): heap bytes per
 * indexed event (heap after GC with the store open minus before), {@code readEntity} latency of a 100-event entity
 * (p50/p99 over random entities), and the time of a kind query returning a tenth of the store, through
 * {@code query} (payloads read) and {@code queryIndex} (index only). Medians of 5 rounds where timed.
 *
 * <p>Usage: {@code mvn -B -q -pl examples exec:java -Dexec.mainClass=io.batpak.examples.IndexFigures
 * -Dexec.args="1000000"}.
 */
public final class IndexFigures {
    private static final int ENTITIES = 10_000;
    private static final int KINDS = 10;
    private static final int BATCH = 1000;
    private static final int SAMPLES = 2000;

    private IndexFigures() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("batpak-index");
        BatpakStore writer = BatpakStore.open(StoreConfig.builder(dir).syncMode(SyncMode.NONE).build());
        byte[] payload = new byte[100];
        for (int done = 0; done < events; done += BATCH) {
            List<AppendRequest> batch = new ArrayList<>(BATCH);
            for (int i = done; i < done + BATCH; i++) {
                batch.add(AppendRequest.of(Coordinate.of("entity:" + (i % ENTITIES), "s" + (i % 3)),
                        EventKind.of(1, i % KINDS), payload));
            }
            writer.appendBatch(batch).toCompletableFuture().join();
        }
        writer.closeAsync().toCompletableFuture().join();

        // Heap of the index alone: open the store read-only (no actors), measure, close it.
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(mem);
        ReadOnlyStore index = ReadOnlyStore.open(StoreConfig.builder(dir).build());
        long after = usedAfterGc(mem);
        System.out.printf("events=%d entities=%d: index heap %.1f MiB, %.1f bytes per event%n",
                events, ENTITIES, (after - before) / 1048576.0, (after - before) / (double) events);
        index.close();
        BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).build());

        Random rnd = new Random(1);
        int perEntity = events / ENTITIES;
        long[] lat = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            String entity = "entity:" + rnd.nextInt(ENTITIES);
            long t0 = System.nanoTime();
            List<StoredEvent> got = store.readEntity(entity, 0, perEntity);
            lat[i] = System.nanoTime() - t0;
            if (got.size() != perEntity) {
                throw new IllegalStateException("read " + got.size() + " events of " + entity);
            }
        }
        Arrays.sort(lat);
        System.out.printf("readEntity of a %d-event entity: p50 %.1f us, p99 %.1f us%n", perEntity,
                lat[SAMPLES / 2] / 1e3, lat[SAMPLES * 99 / 100] / 1e3);

        Region kind = Region.all().withKind(EventKind.of(1, 3));
        double[] full = new double[5];
        double[] light = new double[5];
        int matched = 0;
        for (int r = 0; r < 5; r++) {
            long t0 = System.nanoTime();
            matched = store.query(kind, -1, Integer.MAX_VALUE).size();
            full[r] = (System.nanoTime() - t0) / 1e6;
            t0 = System.nanoTime();
            List<IndexEntry> entries = store.queryIndex(kind, -1, Integer.MAX_VALUE);
            light[r] = (System.nanoTime() - t0) / 1e6;
            if (entries.size() != matched) {
                throw new IllegalStateException("queryIndex and query disagree");
            }
        }
        Arrays.sort(full);
        Arrays.sort(light);
        System.out.printf("kind query returning %d events: query %.0f ms (%.0f events/s), queryIndex %.0f ms (median of 5)%n",
                matched, full[2], matched / (full[2] / 1e3), light[2]);
        store.closeAsync().toCompletableFuture().join();
    }

    private static long usedAfterGc(MemoryMXBean mem) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }
}
