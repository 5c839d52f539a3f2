package io.batpak.bench.jmh;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventIterator;
import io.batpak.core.EventKind;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.SyncMode;
import io.batpak.core.internal.journal.StoreCore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-event costs of the store without the disk: one appender's round trip through the actors under
 * {@code SyncMode.NONE} (no force), reading one event by global sequence from the page cache, and per event of a
 * sequential replay (as a {@code StoredEvent}, and in place).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class StoreBenchmark {
    private static final EventKind KIND = EventKind.of(1, 1);

    /** An open store under SyncMode.NONE, deleted after the trial. */
    @State(Scope.Benchmark)
    public static class Appending {
        Path dir;
        BatpakStore store;
        final Coordinate coordinate = Coordinate.of("appender:0", "bench");
        final byte[] payload = new byte[100];

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = Files.createTempDirectory("batpak-jmh-append");
            store = BatpakStore.open(StoreConfig.builder(dir).syncMode(SyncMode.NONE).build());
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            store.closeAsync().toCompletableFuture().join();
            delete(dir);
        }
    }

    /** A closed 100,000-event store opened with StoreCore for reads. */
    @State(Scope.Benchmark)
    public static class Reading {
        static final int EVENTS = 100_000;
        Path dir;
        StoreCore core;
        final SplittableRandom random = new SplittableRandom(7);

        @Setup(Level.Trial)
        public void build() throws IOException {
            dir = Files.createTempDirectory("batpak-jmh-read");
            BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).syncMode(SyncMode.NONE).build());
            byte[] payload = new byte[100];
            for (int done = 0; done < EVENTS; done += 1000) {
                List<AppendRequest> batch = new ArrayList<>(1000);
                for (int i = 0; i < 1000; i++) {
                    batch.add(AppendRequest.of(Coordinate.of("entity:" + ((done + i) % 1000), "bench"), KIND, payload));
                }
                store.appendBatch(batch).toCompletableFuture().join();
            }
            store.closeAsync().toCompletableFuture().join();
            core = StoreCore.open(StoreConfig.builder(dir).build());
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            core.close();
            delete(dir);
        }
    }

    /** One append acknowledged under SyncMode.NONE: partition, writer, write(2), index, reply. */
    @Benchmark
    public Object appendRoundTripNoFsync(Appending s) {
        return s.store.append(s.coordinate, KIND, s.payload).toCompletableFuture().join();
    }

    /** One event by global sequence: index lookup, pread, CRC32C check, decode. */
    @Benchmark
    public StoredEvent readAt(Reading s) {
        return s.core.readAt(s.random.nextInt(Reading.EVENTS));
    }

    /** Per event of a sequential replay of the whole store: chunked reads, CRC32C check, decode to a StoredEvent. */
    @Benchmark
    @OperationsPerInvocation(Reading.EVENTS)
    public long replayIterator(Reading s) {
        long sum = 0;
        try (EventIterator it = s.core.replay(Region.all(), -1)) {
            while (it.hasNext()) {
                sum += it.next().payloadLength();
            }
        }
        return sum;
    }

    /** Per event of the same replay handing each frame in place as an EventView: nothing allocated per event. */
    @Benchmark
    @OperationsPerInvocation(Reading.EVENTS)
    public long replayInPlace(Reading s) {
        long[] sum = new long[1];
        s.core.replay(Region.all(), -1, v -> sum[0] += v.payload().remaining() + v.entitySequence());
        return sum[0];
    }

    static void delete(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
