package io.batpak.core.internal.segment;

import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.UnsupportedFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The 64-byte header at the start of every segment file (little-endian).
 *
 * <pre>
 * offset size field
 *   0     8  magic                "BATPAKSG" (ASCII)
 *   8     2  formatVersion        u16, currently 2; any other version (1, the frame layout before tags and
 *                                     payload digests, or a newer one) is refused
 *  10     2  headerLength         u16, 64
 *  12     4  flags                u32, 0
 *  16     8  firstGlobalSequence  u64, global sequence of the segment's first frame (also its file name)
 *  24     8  createdMicros        i64, creation time, microseconds since the Unix epoch
 *  32    28  reserved             zeros
 *  60     4  crc32c               u32, CRC32C of bytes [0, 60)
 * </pre>
 */
public final class SegmentHeader {
    public static final int LENGTH = 64;
    public static final int FORMAT_VERSION = 2;
    static final byte[] MAGIC = "BATPAKSG".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION_OFFSET = 8;
    private static final int HEADER_LENGTH_OFFSET = 10;
    private static final int FLAGS_OFFSET = 12;
    private static final int FIRST_SEQUENCE_OFFSET = 16;
    private static final int CREATED_OFFSET = 24;
    private static final int CRC_OFFSET = 60;

    private final long firstGlobalSequence;
    private final long createdMicros;

    public SegmentHeader(long firstGlobalSequence, long createdMicros) {
        this.firstGlobalSequence = firstGlobalSequence;
        this.createdMicros = createdMicros;
    }

    public long firstGlobalSequence() {
        return firstGlobalSequence;
    }

    public long createdMicros() {
        return createdMicros;
    }

    /** Encodes the header into a new 64-byte buffer, positioned at 0. */
    public ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, MAGIC);
        b.putShort(VERSION_OFFSET, (short) FORMAT_VERSION);
        b.putShort(HEADER_LENGTH_OFFSET, (short) LENGTH);
        b.putInt(FLAGS_OFFSET, 0);
        b.putLong(FIRST_SEQUENCE_OFFSET, firstGlobalSequence);
        b.putLong(CREATED_OFFSET, createdMicros);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, CRC_OFFSET);
        b.putInt(CRC_OFFSET, (int) crc.getValue());
        return b;
    }

    /**
     * Decodes and validates a header.
     *
     * @param b 64 bytes at positions [0, 64), little-endian
     * @throws CorruptStoreException when magic, length or checksum is wrong
     * @throws UnsupportedFormatException when the format version is not {@link #FORMAT_VERSION}
     */
    public static SegmentHeader decode(ByteBuffer b, Path file) {
        b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get(i) != MAGIC[i]) {
                throw new CorruptStoreException(file, 0, "bad segment magic (not a batpak segment)");
            }
        }
        CRC32C crc = new CRC32C();
        for (int i = 0; i < CRC_OFFSET; i++) {
            crc.update(b.get(i));
        }
        if ((int) crc.getValue() != b.getInt(CRC_OFFSET)) {
            throw new CorruptStoreException(file, 0, "segment header checksum mismatch");
        }
        int version = Short.toUnsignedInt(b.getShort(VERSION_OFFSET));
        if (version != FORMAT_VERSION && version != 0) {
            throw new UnsupportedFormatException(file, version, FORMAT_VERSION);
        }
        if (version < 1 || Short.toUnsignedInt(b.getShort(HEADER_LENGTH_OFFSET)) != LENGTH) {
            throw new CorruptStoreException(file, 0, "bad segment header version " + version + " or length");
        }
        return new SegmentHeader(b.getLong(FIRST_SEQUENCE_OFFSET), b.getLong(CREATED_OFFSET));
    }
}
