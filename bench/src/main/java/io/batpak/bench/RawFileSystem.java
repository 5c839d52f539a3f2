package io.batpak.bench;

import io.batpak.core.internal.segment.FrameLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The physical limit: one thread appending frames of exactly batpak's frame size for the scenario to a file with
 * {@code FileChannel.write(buffer, position)}, forcing with {@code force(false)} ({@code fdatasync}) as configured,
 * and starting a new file every 64 MiB like batpak's segments. No framing, checksums, hashing or indexing.
 *
 * <p>One operation is {@code writesPerOp} writes of {@code framesPerWrite} frames each, then one force when
 * {@code force} is set; it stores {@code writesPerOp * framesPerWrite} events.
 */
final class RawFileSystem implements AppendSystem {
    static final long FILE_BYTES = 64L << 20;

    private final String name;
    private final int framesPerWrite;
    private final int writesPerOp;
    private final boolean force;

    private RawFileSystem(String name, int framesPerWrite, int writesPerOp, boolean force) {
        this.name = name;
        this.framesPerWrite = framesPerWrite;
        this.writesPerOp = writesPerOp;
        this.force = force;
    }

    /** (a) a write and a force per frame. */
    static RawFileSystem forceEach() {
        return new RawFileSystem("raw-force-each", 1, 1, true);
    }

    /** (b) a force every {@code n} single-frame writes: what group commit of {@code n} events could reach. */
    static RawFileSystem forceEvery(int n) {
        return new RawFileSystem("raw-force-batched", 1, n, true);
    }

    /**
     * (b') one write of {@code n} frames, then one force: what a group commit of {@code n} events does at best (batpak
     * writes each group commit as one buffer). The physical limit the scenarios are compared with.
     */
    static RawFileSystem groupWrite(int n) {
        return new RawFileSystem("raw-group-write", n, 1, true);
    }

    /** (c) writes only, never forced. */
    static RawFileSystem noForce() {
        return new RawFileSystem("raw-no-force", 1, 1, false);
    }

    /** Atomic batches: {@code writes} writes of {@code n} frames each, then a force if {@code force}. */
    static RawFileSystem batch(int n, int writes, boolean force) {
        return new RawFileSystem(force ? "raw-batch-force" : "raw-batch-no-force", n, writes, force);
    }

    @Override
    public String name() {
        return name;
    }

    int eventsPerOp() {
        return framesPerWrite * writesPerOp;
    }

    @Override
    public String configuration() {
        return "one thread, FileChannel.write(buf, pos) of " + framesPerWrite + " frame(s) of batpak's frame size per "
                + "write, " + writesPerOp + " write(s) per operation" + (force ? ", then force(false) (fdatasync)" : ", never forced")
                + "; a new file every 64 MiB";
    }

    /** batpak's frame size for this scenario's entity, scope and payload. */
    static int frameSize(Scenario s) {
        int entity = BatpakSystem.entity(Math.max(0, s.appenders() - 1)).getBytes(StandardCharsets.UTF_8).length;
        int scope = BatpakSystem.SCOPE.getBytes(StandardCharsets.UTF_8).length;
        return FrameLayout.frameSize(entity, scope, 0, s.payload());
    }

    @Override
    public Session open(Path dir, Scenario s) throws IOException {
        java.nio.file.Files.createDirectories(dir);
        int frame = frameSize(s);
        byte[] one = Payloads.of(frame);
        ByteBuffer buf = ByteBuffer.allocateDirect(frame * framesPerWrite);
        for (int i = 0; i < framesPerWrite; i++) {
            buf.put(one);
        }
        buf.flip();
        return new Threaded() {
            @Override
            public int eventsPerOp() {
                return RawFileSystem.this.eventsPerOp();
            }

            @Override
            public Client client(int appender) throws IOException {
                return new Client() {
                    int files;
                    FileChannel ch = next();
                    long pos;

                    FileChannel next() throws IOException {
                        return FileChannel.open(dir.resolve(String.format("%05d.raw", files++)),
                                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    }

                    @Override
                    public void run(long op) throws IOException {
                        for (int w = 0; w < writesPerOp; w++) {
                            if (pos + buf.capacity() > FILE_BYTES) {
                                ch.close();
                                ch = next();
                                pos = 0;
                            }
                            ByteBuffer b = buf.duplicate();
                            while (b.hasRemaining()) {
                                pos += ch.write(b, pos);
                            }
                        }
                        if (force) {
                            ch.force(false);
                        }
                    }

                    @Override
                    public void close() throws IOException {
                        ch.close();
                    }
                };
            }

            @Override
            public void close() {
            }
        };
    }
}
