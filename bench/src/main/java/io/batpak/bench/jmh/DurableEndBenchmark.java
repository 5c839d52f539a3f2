package io.batpak.bench.jmh;

import io.batpak.core.IoFaultHook;
import io.batpak.core.internal.segment.DurableEnd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What recording the durable end costs the writer per forced group commit: one 40-byte positional write of
 * {@code durable.end} into the page cache, no force (done after the commit's replies are handed out).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class DurableEndBenchmark {
    private Path dir;
    private DurableEnd mark;
    private long end = 64;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        dir = Files.createTempDirectory("durable-end-bench");
        mark = DurableEnd.open(dir, IoFaultHook.NONE);
    }

    @Benchmark
    public long recordAfterAForce() throws IOException {
        end += 4096;
        mark.record(0, end, end >> 8);
        return end;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        mark.close();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
