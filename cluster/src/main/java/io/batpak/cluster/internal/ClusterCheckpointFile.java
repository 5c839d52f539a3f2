package io.batpak.cluster.internal;

import io.batpak.cluster.ClusterPosition;
import io.batpak.core.IoFaultHook;
import io.batpak.core.Region;
import io.batpak.core.error.CheckpointIoException;
import io.batpak.core.error.CheckpointRegionMismatchException;
import io.batpak.core.error.CorruptCheckpointException;
import io.batpak.core.error.InvalidCheckpointIdException;
import io.batpak.core.internal.DurableFiles;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The durable checkpoint of a cluster-wide cursor: its position vector, in {@code <dir>/cursors/<id>.vector},
 * replaced atomically on every commit. Layout, little-endian:
 *
 * <pre>
 * offset  size  field
 * 0       4     magic "BPCV"
 * 4       2     format version (1)
 * 6       4     partition count P
 * 10      2     region identity length L
 * 12      L     region identity (UTF-8, {@link Region#identity()})
 * 12+L    8*P   the global sequence of each partition's last committed event (-1: none)
 * 12+L+8P 4     CRC32C of every byte before it
 * </pre>
 */
public final class ClusterCheckpointFile {
    private static final byte[] MAGIC = {'B', 'P', 'C', 'V'};
    private static final short FORMAT = 1;
    private static final int HEADER = 12;
    private static final int CRC = 4;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

    private ClusterCheckpointFile() {
    }

    public static Path file(Path dir, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new InvalidCheckpointIdException(String.valueOf(id),
                    "ids are 1..128 of [A-Za-z0-9._-], not starting with a dot");
        }
        return dir.resolve("cursors").resolve(id + ".vector");
    }

    /** The stored position, or empty when the checkpoint was never committed. */
    public static Optional<ClusterPosition> load(Path file, Region region, int partitions) {
        byte[] bytes;
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CheckpointIoException(file, e);
        }
        if (bytes.length < HEADER + CRC) {
            throw new CorruptCheckpointException(file, "truncated at " + bytes.length + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - CRC);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if ((int) crc.getValue() != b.getInt(bytes.length - CRC)) {
            throw new CorruptCheckpointException(file, "CRC32C mismatch");
        }
        try {
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new CorruptCheckpointException(file, "not a cluster cursor checkpoint (bad magic)");
            }
            short format = b.getShort();
            if (format != FORMAT) {
                throw new CorruptCheckpointException(file, "unknown format version " + format);
            }
            int count = b.getInt();
            byte[] identity = new byte[Short.toUnsignedInt(b.getShort())];
            b.get(identity);
            String stored = new String(identity, StandardCharsets.UTF_8);
            if (!stored.equals(region.identity())) {
                throw new CheckpointRegionMismatchException(file, stored, region.identity());
            }
            if (count != partitions) {
                throw new CorruptCheckpointException(file, "it holds " + count + " partitions, the cluster has "
                        + partitions);
            }
            long[] positions = new long[count];
            for (int i = 0; i < count; i++) {
                positions[i] = b.getLong();
            }
            if (b.remaining() != CRC) {
                throw new CorruptCheckpointException(file, "trailing bytes");
            }
            return Optional.of(ClusterPosition.of(positions));
        } catch (BufferUnderflowException | io.batpak.core.error.InvalidInputException e) {
            throw new CorruptCheckpointException(file, "malformed: " + e.getMessage());
        }
    }

    /** Stores {@code position} durably: after this returns a crash keeps it (or a later one). */
    public static void save(Path file, Region region, ClusterPosition position, IoFaultHook hook) {
        byte[] identity = region.identity().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(HEADER + identity.length + 8 * position.partitions() + CRC)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putShort(FORMAT).putInt(position.partitions()).putShort((short) identity.length).put(identity);
        for (int p = 0; p < position.partitions(); p++) {
            b.putLong(position.get(p));
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        b.flip();
        try {
            Files.createDirectories(file.getParent());
            DurableFiles.replaceWith(file.resolveSibling(file.getFileName() + ".tmp"), file, b, hook);
        } catch (IOException e) {
            throw new CheckpointIoException(file, e);
        }
    }
}
