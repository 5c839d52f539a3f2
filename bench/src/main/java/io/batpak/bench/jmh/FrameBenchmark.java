package io.batpak.bench.jmh;

import io.batpak.core.EventId;
import io.batpak.core.internal.segment.FrameEncoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CPU cost per event of the write path outside the writer: building a frame and its BLAKE3 chain hash (done by the
 * entity partitions), and placing it with its CRC32C (done by the writer at commit).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class FrameBenchmark {
    @Param({"100", "1024"})
    public int payloadBytes;

    private final FrameEncoder encoder = new FrameEncoder();
    private final CRC32C crc = new CRC32C();
    private final byte[] entity = "appender:42".getBytes(StandardCharsets.UTF_8);
    private final byte[] scope = "bench".getBytes(StandardCharsets.UTF_8);
    private final byte[] prev = new byte[32];
    private final byte[] hash = new byte[32];
    private final EventId id = new EventId(0x0190_0000_0000_7000L, 0x8000_0000_0000_0001L);
    private byte[] payload;
    private ByteBuffer target;
    private int frameSize;
    private long seq;

    @Setup
    public void setup() {
        payload = new byte[payloadBytes];
        new Random(1).nextBytes(payload);
        byte[] frame = encode();
        frameSize = frame.length;
        target = ByteBuffer.allocateDirect(frameSize).order(ByteOrder.LITTLE_ENDIAN);
        target.put(frame).flip();
    }

    /** A frame with its BLAKE3-256 eventHash, as an entity partition builds it. */
    @Benchmark
    public byte[] encode() {
        return encoder.encode(entity, scope, null, payload, 0, 0x1001, 0, 0, 7, 1_700_000_000_000_000L, id, id, null, null, prev,
                hash);
    }

    /** Placement fields and CRC32C of a frame, as the writer fills them in at commit. */
    @Benchmark
    public ByteBuffer place() {
        FrameEncoder.place(target, 0, frameSize, seq++, 1, 0, crc);
        return target;
    }
}
