package io.batpak.bench;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoreStats;
import io.batpak.core.StoredEvent;
import io.batpak.core.SyncMode;
import io.batpak.core.internal.journal.StoreCore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The read measurements on one store of {@code plan.readEvents()} events (100-byte payloads, 100 events per entity),
 * built once with atomic batches of 1000 under {@code SyncMode.NONE} and closed (which writes the checkpoint). Every
 * round: the raw sequential read of the segment files, the same read walking the frames and checking each CRC32C,
 * the full replay in global order through the core read path, readEntity latency of 100-event entities through the
 * facade, and the open time with and without {@code index.ckpt}. The page cache is warm (a first raw read primes it).
 */
final class ReadBench {
    static final int EVENTS_PER_ENTITY = 100;
    static final int PAYLOAD = 100;

    private final Plan plan;
    private final Path dir;
    private final ActorSystem<?> actorSystem;
    private final PrintStream log;

    long events;
    long bytes;
    double buildEventsPerSec;
    final List<Double> rawReadEventsPerSec = new ArrayList<>();
    final List<Double> rawReadMBps = new ArrayList<>();
    final List<Double> rawCrcEventsPerSec = new ArrayList<>();
    final List<Double> replayEventsPerSec = new ArrayList<>();
    final List<Double> replayByEntityEventsPerSec = new ArrayList<>();
    final List<Double> sequentialReplayEventsPerSec = new ArrayList<>();
    final List<Double> inPlaceReplayEventsPerSec = new ArrayList<>();
    final List<Double> readEntityP50 = new ArrayList<>();
    final List<Double> readEntityP99 = new ArrayList<>();
    final List<Double> readEntityP999 = new ArrayList<>();
    final List<Double> openWithCkptMillis = new ArrayList<>();
    final List<Double> openWithCkptRecoveryMillis = new ArrayList<>();
    final List<Double> openWithoutCkptMillis = new ArrayList<>();
    final List<Double> openWithoutCkptRecoveryMillis = new ArrayList<>();
    /** Heap the open store holds per event (used heap after GC, open minus closed). */
    final List<Double> indexHeapBytesPerEvent = new ArrayList<>();
    final List<String> errors = new ArrayList<>();
    /** One segment's bytes for the CRC walk (a segment is at most 64 MiB, the default segment size). */
    private final ByteBuffer segmentBuffer = ByteBuffer.allocateDirect(64 << 20).order(ByteOrder.LITTLE_ENDIAN);

    ReadBench(Plan plan, Path dir, ActorSystem<?> actorSystem, PrintStream log) {
        this.plan = plan;
        this.dir = dir;
        this.actorSystem = actorSystem;
        this.log = log;
    }

    int entities() {
        return Math.max(1, plan.readEvents() / EVENTS_PER_ENTITY);
    }

    static String entity(int i) {
        return "entity:" + i;
    }

    void build() throws IOException {
        Files2.deleteTree(dir);
        int n = plan.readEvents();
        int entities = entities();
        buildEventsPerSec = buildStore(dir, n, entities, actorSystem);
        events = n;
        bytes = Files2.sizeOfTree(dir.resolve("segments"));
        log.println(String.format(Locale.ROOT, "built a store of %,d events (%,d MiB of segments) at %,.0f events/s",
                n, bytes >> 20, buildEventsPerSec));
        // Unmeasured passes: the page cache holds the segments and the read paths are compiled before round 1.
        rawRead();
        rawReadWithCrc();
        replay();
        sequentialReplaySeconds(dir, events);
        inPlaceReplaySeconds(dir, events);
    }

    /**
     * Writes a store of {@code n} events of {@value #PAYLOAD} B round-robin over {@code entities} entities, in atomic
     * batches of 1,000 under {@code SyncMode.NONE}, and closes it (so it has an index checkpoint).
     *
     * @return the events written per second
     */
    static double buildStore(Path dir, int n, int entities, ActorSystem<?> system) {
        byte[] payload = Payloads.of(PAYLOAD);
        long t0 = System.nanoTime();
        BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).syncMode(SyncMode.NONE).build(), system);
        try {
            int batch = 1000;
            for (int done = 0; done < n; done += batch) {
                int size = Math.min(batch, n - done);
                List<AppendRequest> items = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    items.add(AppendRequest.of(Coordinate.of(entity((done + i) % entities), BatpakSystem.SCOPE),
                            BatpakSystem.KIND, payload));
                }
                store.appendBatch(items).toCompletableFuture().join();
            }
        } finally {
            store.closeAsync().toCompletableFuture().join();
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    void round() throws Exception {
        // Each timed read starts without the garbage of the previous one.
        System.gc();
        double t = rawRead();
        rawReadEventsPerSec.add(events / t);
        rawReadMBps.add(bytes / t / 1e6);
        System.gc();
        rawCrcEventsPerSec.add(events / rawReadWithCrc());
        System.gc();
        replayEventsPerSec.add(events / replay());
        System.gc();
        sequentialReplayEventsPerSec.add(events / sequentialReplaySeconds(dir, events));
        System.gc();
        inPlaceReplayEventsPerSec.add(events / inPlaceReplaySeconds(dir, events));
        System.gc();
        readEntity();
        openWithCheckpoint();
        openWithoutCheckpoint();
        indexHeapBytesPerEvent.add(indexHeapBytesPerEvent());
        log.println(String.format(Locale.ROOT, "   reads: raw %,.0f ev/s (%,.0f MB/s), raw+crc %,.0f ev/s, replay %,.0f ev/s,"
                        + " sequential replay %,.0f ev/s, in place %,.0f ev/s, by entity %,.0f ev/s, readEntity(100) p50 %.1f us p99 %.1f us,"
                        + " open %.0f ms (ckpt) / %.0f ms (scan), index heap %.1f B/event",
                last(rawReadEventsPerSec), last(rawReadMBps), last(rawCrcEventsPerSec), last(replayEventsPerSec),
                last(sequentialReplayEventsPerSec), last(inPlaceReplayEventsPerSec),
                last(replayByEntityEventsPerSec), last(readEntityP50), last(readEntityP99), last(openWithCkptMillis),
                last(openWithoutCkptMillis), last(indexHeapBytesPerEvent)));
    }

    /**
     * Heap held by the open store per event: used heap after full GCs with the store open, minus the same with it
     * closed. Nearly all of it is the in-memory index (no tags in this store).
     */
    private double indexHeapBytesPerEvent() {
        long closed = usedHeapAfterGc();
        try (StoreCore core = StoreCore.open(StoreConfig.builder(dir).build())) {
            long open = usedHeapAfterGc();
            if (core.lastGlobalSequence() + 1 != events) {
                throw new IllegalStateException("the store holds " + (core.lastGlobalSequence() + 1) + " events");
            }
            return (open - closed) / (double) events;
        }
    }

    private static long usedHeapAfterGc() {
        java.lang.management.MemoryMXBean memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static double last(List<Double> l) {
        return l.isEmpty() ? Double.NaN : l.get(l.size() - 1);
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("segments"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
        }
    }

    /** Seconds to read every segment byte sequentially into a 1 MiB buffer. */
    private double rawRead() throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        long total = 0;
        long t0 = System.nanoTime();
        for (Path p : segments()) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                int n;
                while ((n = ch.read(buf.clear())) >= 0) {
                    total += n;
                }
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (total != bytes) {
            throw new IllegalStateException("read " + total + " bytes, expected " + bytes);
        }
        return s;
    }

    /** Seconds to read every segment and walk its frames, checking each frame's CRC32C. */
    private double rawReadWithCrc() throws IOException {
        CRC32C crc = new CRC32C();
        long frames = 0;
        long t0 = System.nanoTime();
        for (Path p : segments()) {
            ByteBuffer buf = segmentBuffer.clear();
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                buf.limit((int) ch.size());
                while (buf.hasRemaining() && ch.read(buf) >= 0) {
                    // fill
                }
            }
            buf.flip();
            int end = buf.limit();
            int pos = 64;
            while (pos + 8 <= end) {
                int len = buf.getInt(pos);
                int stored = buf.getInt(pos + 4);
                crc.reset();
                crc.update(buf.limit(pos + 8 + len).position(pos + 8));
                buf.limit(end);
                if ((int) crc.getValue() != stored) {
                    throw new IllegalStateException("bad crc in " + p + " at " + pos);
                }
                pos += 8 + len;
                frames++;
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (frames != events) {
            throw new IllegalStateException("walked " + frames + " frames, expected " + events);
        }
        return s;
    }

    /** Seconds to read every event in global order with StoreCore.readAt (checksum-checked, decoded). */
    private double replay() {
        return replaySeconds(dir, events);
    }

    /**
     * Seconds to read every event of the store in {@code dir} in global order with StoreCore.readAt (its open not
     * counted), checking that there are {@code events} of them.
     */
    static double replaySeconds(Path dir, long events) {
        try (StoreCore core = StoreCore.open(StoreConfig.builder(dir).build())) {
            long last = core.lastGlobalSequence();
            long sink = 0;
            long t0 = System.nanoTime();
            for (long g = 0; g <= last; g++) {
                StoredEvent e = core.readAt(g);
                sink += e.payloadLength() + e.entitySequence();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            if (last + 1 != events || sink == 0) {
                throw new IllegalStateException("replayed " + (last + 1) + " events, expected " + events);
            }
            return s;
        }
    }

    /**
     * Seconds to read every event of the store in {@code dir} in global order through the sequential replay path
     * ({@code StoreReader.replay}: segments read in large chunks, frames CRC32C-checked and decoded), its open not
     * counted, checking that there are {@code events} of them.
     */
    static double sequentialReplaySeconds(Path dir, long events) {
        try (StoreCore core = StoreCore.open(StoreConfig.builder(dir).build())) {
            long n = 0;
            long sink = 0;
            long t0 = System.nanoTime();
            try (io.batpak.core.EventIterator it = core.replay(io.batpak.core.Region.all(), -1)) {
                while (it.hasNext()) {
                    StoredEvent e = it.next();
                    sink += e.payloadLength() + e.entitySequence();
                    n++;
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            if (n != events || sink == 0) {
                throw new IllegalStateException("replayed " + n + " events sequentially, expected " + events);
            }
            return s;
        }
    }

    /**
     * Seconds to hand every event of the store in {@code dir} to a handler in place ({@code StoreReader.replay} with
     * an {@code EventHandler}: the frames CRC32C-checked, the handler reading the payload length and the entity
     * sequence from the view, nothing copied), its open not counted.
     */
    static double inPlaceReplaySeconds(Path dir, long events) {
        try (StoreCore core = StoreCore.open(StoreConfig.builder(dir).build())) {
            long[] sink = {0};
            long t0 = System.nanoTime();
            long n = core.replay(io.batpak.core.Region.all(), -1,
                    v -> sink[0] += v.payload().remaining() + v.entitySequence());
            double s = (System.nanoTime() - t0) / 1e9;
            if (n != events || sink[0] == 0) {
                throw new IllegalStateException("handed " + n + " events in place, expected " + events);
            }
            return s;
        }
    }

    /** readEntity latency for random 100-event entities, and a replay of every entity through readEntity. */
    private void readEntity() {
        BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).build(), actorSystem);
        try {
            int entities = entities();
            SplittableRandom rnd = new SplittableRandom(42);
            int warm = Math.max(100, plan.readEntityCalls() / 5);
            for (int i = 0; i < warm; i++) {
                store.readEntity(entity(rnd.nextInt(entities)), 0, EVENTS_PER_ENTITY);
            }
            Histogram h = new Histogram(Driver.MAX_NANOS, 3);
            for (int i = 0; i < plan.readEntityCalls(); i++) {
                String e = entity(rnd.nextInt(entities));
                long t0 = System.nanoTime();
                List<StoredEvent> got = store.readEntity(e, 0, EVENTS_PER_ENTITY);
                long t1 = System.nanoTime();
                if (got.size() != Math.min(EVENTS_PER_ENTITY, events)) {
                    throw new IllegalStateException("readEntity returned " + got.size() + " events");
                }
                h.recordValue(t1 - t0);
            }
            readEntityP50.add(h.getValueAtPercentile(50) / 1e3);
            readEntityP99.add(h.getValueAtPercentile(99) / 1e3);
            readEntityP999.add(h.getValueAtPercentile(99.9) / 1e3);
            long n = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < entities; i++) {
                n += store.readEntity(entity(i), 0, Integer.MAX_VALUE).size();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            replayByEntityEventsPerSec.add(n / s);
        } finally {
            store.closeAsync().toCompletableFuture().join();
        }
    }

    /** Wall time of BatpakStore.open(config) (including its own ActorSystem) when the checkpoint is present. */
    private void openWithCheckpoint() {
        if (!Files.exists(dir.resolve("index.ckpt"))) {
            throw new IllegalStateException("no index.ckpt in " + dir);
        }
        timedOpen(true, openWithCkptMillis, openWithCkptRecoveryMillis);
    }

    private void openWithoutCheckpoint() throws IOException {
        Files.delete(dir.resolve("index.ckpt"));
        // Its close writes the checkpoint again for the next round.
        timedOpen(false, openWithoutCkptMillis, openWithoutCkptRecoveryMillis);
    }

    private void timedOpen(boolean expectCheckpoint, List<Double> wall, List<Double> recovery) {
        System.gc();
        long t0 = System.nanoTime();
        BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).build());
        double ms = (System.nanoTime() - t0) / 1e6;
        try {
            StoreStats st = store.stats();
            if (st.openedFromCheckpoint() != expectCheckpoint || st.events() != events) {
                throw new IllegalStateException("open: fromCheckpoint=" + st.openedFromCheckpoint() + " events="
                        + st.events());
            }
            wall.add(ms);
            recovery.add((double) st.openMillis());
        } finally {
            store.closeAsync().toCompletableFuture().join();
        }
    }

    void cleanup() {
        Files2.deleteTree(dir);
    }
}
