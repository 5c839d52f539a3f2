package io.batpak.core.internal.segment;

import io.batpak.core.IoFaultHook;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The durable-end mark {@code <dir>/durable.end}: how far the newest segment's data is known to be on stable
 * storage. Recovery may cut a torn tail only <em>above</em> it; damage below it is corruption, because every frame
 * below it was forced (and, under {@code EVERY_COMMIT}, acknowledged) before the mark was written.
 *
 * <p>The writer rewrites it in place after every successful force (once that commit's replies are handed out) and
 * after starting a new segment, with one positional write and no force of its own: the write costs one page-cache
 * copy off the acknowledgement path, and a mark lost or left stale by a power failure, or one commit behind after a
 * kill -9 at that instant, is only ever <em>lower</em> than the truth (it is written after the data it describes
 * was forced), which makes recovery more lenient, never wrong. Little-endian, 40 bytes:
 *
 * <pre>
 * offset size field
 *   0     4  magic                 "BPDE"
 *   4     2  formatVersion         u16, 1
 *   6     2  reserved              0
 *   8     8  segment               first global sequence of the segment the mark is about (its file name)
 *  16     8  durableLength         bytes of that segment known to be on stable storage (a commit boundary)
 *  24     8  durableEvents         global sequence of the first event not known to be durable
 *  32     4  reserved              0
 *  36     4  crc32c                CRC32C of bytes 0..35
 * </pre>
 *
 * A mark that is missing, short, or fails any check is ignored (the open logs why and falls back to telling a torn
 * tail from damage by whether a valid frame follows the bad one).
 */
public final class DurableEnd implements AutoCloseable {
    public static final String FILE_NAME = "durable.end";
    public static final int LENGTH = 40;
    private static final byte[] MAGIC = "BPDE".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT_VERSION = 1;
    private static final int CRC_OFFSET = 36;

    /** A decoded mark. */
    public record Mark(long segment, long durableLength, long durableEvents) {
    }

    /** Why a mark could not be read. */
    public static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String reason) {
            super(reason, null, false, false);
        }
    }

    private final FileChannel channel;
    private final IoFaultHook hook;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();

    private DurableEnd(FileChannel channel, IoFaultHook hook) {
        this.channel = channel;
        this.hook = hook;
    }

    /** Opens (creating when missing) the mark of {@code dataDir} for the writer. */
    public static DurableEnd open(Path dataDir, IoFaultHook hook) throws IOException {
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            hook.beforeCreate(FILE_NAME);
        }
        return new DurableEnd(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE), hook);
    }

    /**
     * Records that the first {@code durableLength} bytes of the segment starting at global sequence
     * {@code segment} are on stable storage, holding every event below {@code durableEvents}. Writer thread only.
     *
     * @throws IOException when the write fails (the caller may go on: an old mark is only more lenient)
     */
    public void record(long segment, long durableLength, long durableEvents) throws IOException {
        ByteBuffer b = buffer.clear();
        b.put(MAGIC).putShort((short) FORMAT_VERSION).putShort((short) 0).putLong(segment).putLong(durableLength)
                .putLong(durableEvents).putInt(0);
        crc.reset();
        crc.update(b.flip());
        b.limit(LENGTH).putInt(CRC_OFFSET, (int) crc.getValue()).position(0);
        hook.beforeWrite(FILE_NAME, 0, LENGTH);
        long pos = 0;
        while (b.hasRemaining()) {
            pos += channel.write(b, pos);
        }
    }

    /**
     * Replaces the mark of {@code dataDir} with {@code mark} and forces it. For tools and tests that rebuild or
     * simulate a directory's state (a store whose newest write was torn by a crash has the mark of the write before).
     */
    public static void write(Path dataDir, Mark mark) throws IOException {
        try (DurableEnd d = open(dataDir, IoFaultHook.NONE)) {
            d.record(mark.segment(), mark.durableLength(), mark.durableEvents());
            d.channel.force(true);
        }
    }

    /**
     * Reads the mark of {@code dataDir}.
     *
     * @return the mark, or null when there is none
     * @throws Unreadable when the file exists but is not an intact mark of this version
     */
    public static Mark read(Path dataDir) throws Unreadable {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(dataDir.resolve(FILE_NAME));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new Unreadable("cannot read " + FILE_NAME + ": " + e);
        }
        return decode(bytes);
    }

    /** Decodes a mark's bytes. */
    public static Mark decode(byte[] bytes) throws Unreadable {
        if (bytes.length != LENGTH) {
            throw new Unreadable(FILE_NAME + " is " + bytes.length + " bytes, expected " + LENGTH);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C c = new CRC32C();
        c.update(bytes, 0, CRC_OFFSET);
        if ((int) c.getValue() != b.getInt(CRC_OFFSET)) {
            throw new Unreadable(FILE_NAME + " checksum mismatch");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new Unreadable(FILE_NAME + " has a bad magic");
            }
        }
        int version = b.getShort(4) & 0xFFFF;
        if (version != FORMAT_VERSION) {
            throw new Unreadable(FILE_NAME + " format version " + version + " is not this version's ("
                    + FORMAT_VERSION + ")");
        }
        if (b.getShort(6) != 0 || b.getInt(32) != 0) {
            throw new Unreadable(FILE_NAME + " reserved bytes are not zero");
        }
        long segment = b.getLong(8);
        long length = b.getLong(16);
        long events = b.getLong(24);
        if (segment < 0 || length < SegmentHeader.LENGTH || events < segment) {
            throw new Unreadable(FILE_NAME + " holds impossible values (segment " + segment + ", length " + length
                    + ", events " + events + ")");
        }
        return new Mark(segment, length, events);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
