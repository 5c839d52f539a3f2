package io.batpak.core.internal.segment;

import io.batpak.core.IoFaultHook;
import io.batpak.core.internal.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The writer's handle on the active segment: appends bytes at the end, forces them, and truncates back to the
 * last good length after a failed write. Used by one thread (the writer).
 */
public final class SegmentAppender implements AutoCloseable {
    private final Path path;
    private final String name;
    private final long firstGlobalSequence;
    private final int ordinal;
    private final FileChannel channel;
    private final IoFaultHook hook;
    private long size;
    private long forcedSize;

    private SegmentAppender(Path path, long firstGlobalSequence, int ordinal, FileChannel channel, long size,
                            IoFaultHook hook) {
        this.path = path;
        this.name = path.getFileName().toString();
        this.firstGlobalSequence = firstGlobalSequence;
        this.ordinal = ordinal;
        this.channel = channel;
        this.size = size;
        this.forcedSize = size;
        this.hook = hook;
    }

    /**
     * Creates a new segment file with its header, forces it and the directory entry, so a crash never leaves a
     * segment whose header is missing under frames that follow.
     */
    public static SegmentAppender create(Path dataDir, long firstGlobalSequence, long createdMicros, int ordinal,
                                         IoFaultHook hook) throws IOException {
        Path dir = SegmentFiles.directory(dataDir);
        Files.createDirectories(dir);
        Path path = dir.resolve(SegmentFiles.fileName(firstGlobalSequence));
        String name = path.getFileName().toString();
        hook.beforeCreate(name);
        // Only a failed earlier attempt to start this very segment can have left a file of this name (the name is
        // the next global sequence, which no registered segment starts at), so it is overwritten.
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, StandardOpenOption.READ);
        try {
            DurableFiles.writeFully(ch, name, new SegmentHeader(firstGlobalSequence, createdMicros).encode(), 0, hook);
            DurableFiles.force(ch, name, hook);
            DurableFiles.fsyncDirectory(dir, hook);
        } catch (IOException | RuntimeException e) {
            ch.close();
            DurableFiles.discard(path, e);
            throw e;
        }
        return new SegmentAppender(path, firstGlobalSequence, ordinal, ch, SegmentHeader.LENGTH, hook);
    }

    /** Opens an existing, recovered segment for appending at {@code validLength}. */
    public static SegmentAppender open(Path path, long firstGlobalSequence, int ordinal, long validLength,
                                       IoFaultHook hook) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.READ);
        if (ch.size() != validLength) {
            ch.truncate(validLength);
            ch.force(true);
        }
        return new SegmentAppender(path, firstGlobalSequence, ordinal, ch, validLength, hook);
    }

    public Path path() {
        return path;
    }

    public long firstGlobalSequence() {
        return firstGlobalSequence;
    }

    public int ordinal() {
        return ordinal;
    }

    /** Bytes in the file that were written successfully. */
    public long size() {
        return size;
    }

    /** Bytes known to be on stable storage. */
    public long forcedSize() {
        return forcedSize;
    }

    /** Writes all of {@code data} at the end of the file. On failure the size is unchanged. */
    public void write(ByteBuffer data) throws IOException {
        hook.beforeWrite(name, size, data.remaining());
        long pos = size;
        while (data.hasRemaining()) {
            pos += channel.write(data, pos);
        }
        size = pos;
    }

    /** Forces written data to stable storage ({@code fdatasync}). */
    public void force() throws IOException {
        hook.beforeForce(name);
        channel.force(false);
        forcedSize = size;
    }

    /** Whether bytes were written since the last force. */
    public boolean hasUnforcedBytes() {
        return size != forcedSize;
    }

    /**
     * Cuts the file back to {@code length} (the end of the last acknowledged frame) and forces it, after a failed
     * write or force, so no unacknowledged frame can resurface on the next open.
     */
    public void truncate(long length) throws IOException {
        hook.beforeTruncate(name, length);
        channel.truncate(length);
        channel.force(true);
        size = length;
        forcedSize = length;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
