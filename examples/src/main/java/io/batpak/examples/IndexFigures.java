package io.batpak.examples;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendOptions;
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
 * {@code query} (payloads read) and {@code queryIndex} (index only). Then the same store with {@code tags} tags on
 * every event (drawn from 1,000 names each): heap bytes per tag occurrence, the difference to the untagged store
 * (the time of tag queries is measured by the bench harness's {@code TagBench}). Medians of 5 rounds where timed.
 *
 * <p>Usage: {@code mvn -B -q -pl examples exec:java -Dexec.mainClass=io.batpak.examples.IndexFigures
 * -Dexec.args="1000000 4"}.
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
        int tagsPerEvent = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        Path dir = Files.createTempDirectory("batpak-index");
        fill(dir, events, 0);
        long untagged = indexHeap(dir);
        System.out.printf("events=%d entities=%d: index heap %.1f MiB, %.1f bytes per event%n",
                events, ENTITIES, untagged / 1048576.0, untagged / (double) events);
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
        if (tagsPerEvent > 0) {
            tagFigures(events, tagsPerEvent, untagged);
        }
    }

    private static void tagFigures(int events, int tagsPerEvent, long untagged) throws Exception {
        Path dir = Files.createTempDirectory("batpak-index-tags");
        long occurrences = fill(dir, events, tagsPerEvent);
        long tagged = indexHeap(dir);
        System.out.printf("%d tags per event (%d occurrences): index heap %.1f MiB, %.1f bytes per event,"
                        + " %.2f bytes per tag occurrence%n", tagsPerEvent, occurrences, tagged / 1048576.0,
                tagged / (double) events, (tagged - untagged) / (double) occurrences);
    }

    /**
     * Appends {@code events} events of 100 B in batches; with {@code tags > 0} each carries that many tags (the first
     * {@code hot} on every tenth event, else {@code t0:<n>}; the others {@code t<j>:<n>}, n below 1,000).
     *
     * @return the tag occurrences stored
     */
    private static long fill(Path dir, int events, int tags) {
        BatpakStore writer = BatpakStore.open(StoreConfig.builder(dir).syncMode(SyncMode.NONE).build());
        byte[] payload = new byte[100];
        long occurrences = 0;
        for (int done = 0; done < events; done += BATCH) {
            List<AppendRequest> batch = new ArrayList<>(BATCH);
            for (int i = done; i < done + BATCH; i++) {
                AppendOptions.Builder options = AppendOptions.builder();
                if (tags > 0) {
                    String[] t = new String[tags];
                    t[0] = i % 10 == 0 ? "hot" : "t0:" + (i * 7 % 1000);
                    for (int j = 1; j < tags; j++) {
                        t[j] = "t" + j + ":" + ((i + j * 31) % 1000);
                    }
                    options.tags(t);
                    occurrences += tags;
                }
                batch.add(AppendRequest.of(Coordinate.of("entity:" + (i % ENTITIES), "s" + (i % 3)),
                        EventKind.of(1, i % KINDS), payload, options.build()));
            }
            writer.appendBatch(batch).toCompletableFuture().join();
        }
        writer.closeAsync().toCompletableFuture().join();
        return occurrences;
    }

    /** Heap of the index alone: the store opened read-only (no actors), heap after GC minus before. */
    private static long indexHeap(Path dir) throws InterruptedException {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(mem);
        ReadOnlyStore index = ReadOnlyStore.open(StoreConfig.builder(dir).build());
        long after = usedAfterGc(mem);
        index.close();
        return after - before;
    }

    private static long usedAfterGc(MemoryMXBean mem) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }
}
