package io.batpak.core.internal.journal;

import io.batpak.core.IoFaultHook;
import io.batpak.core.ProgressListener;
import io.batpak.core.internal.DurableFiles;
import io.batpak.core.internal.cursor.CheckpointStore;
import io.batpak.core.internal.index.EventIndex;
import io.batpak.core.internal.index.IdempotencyIndex;
import io.batpak.core.internal.index.IndexCheckpoint;
import io.batpak.core.internal.segment.SegmentFiles;
import io.batpak.core.internal.segment.SegmentSet;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes a point-in-time copy of a store into a fresh directory while the writer goes on appending.
 *
 * <p>What the copy holds is fixed by an {@link IndexCheckpoint.Snapshot} taken on the writer's thread after a force:
 * every segment up to its covered length (bytes below it never change again), the index checkpoint of exactly those
 * rows and their idempotency keys, and the cursor checkpoints copied before the snapshot was taken (so none points
 * past it). Sealed segments (every one but the newest) are hard-linked where the file system allows and copied
 * otherwise; the newest is copied up to its covered length. Everything is written into a hidden sibling directory
 * that is forced and renamed to the destination only when complete, so a failed or interrupted backup never leaves
 * a directory at the destination; on failure the sibling is removed.
 */
public final class StoreBackup {
    private static final String PROGRESS_PHASE = "copying";
    private static final String PROGRESS_UNIT = "segments";

    private StoreBackup() {
    }

    /** What a backup did. */
    public record Result(long events, int segmentsLinked, int segmentsCopied, long bytesCopied) {
    }

    /** The hidden sibling a backup to {@code destination} is written into. */
    public static Path partialDirectory(Path destination, String id) {
        return destination.toAbsolutePath().getParent().resolve("." + destination.getFileName() + ".partial-" + id);
    }

    /** Copies the cursor checkpoint files of {@code dataDir} into {@code partial} (before the snapshot). */
    public static void copyCursorCheckpoints(Path dataDir, Path partial, IoFaultHook hook) throws IOException {
        Path from = dataDir.resolve(CheckpointStore.DIRECTORY_NAME);
        if (!Files.isDirectory(from)) {
            return;
        }
        Path to = Files.createDirectories(partial.resolve(CheckpointStore.DIRECTORY_NAME));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(from, "*.ckpt")) {
            for (Path f : files) {
                hook.beforeCreate(f.getFileName().toString());
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                forceFile(to.resolve(f.getFileName()));
            }
        }
        DurableFiles.fsyncDirectory(to, hook);
    }

    /**
     * Copies the segments and writes the index checkpoint of {@code snapshot} into {@code partial}. Runs on any
     * thread while the writer appends after the snapshot.
     */
    public static Result writeSegmentsAndIndex(SegmentSet segments, EventIndex index, IdempotencyIndex keys,
                                               IndexCheckpoint.Snapshot snapshot, Path partial, IoFaultHook hook,
                                               ProgressListener progress) throws IOException {
        Path to = Files.createDirectories(SegmentFiles.directory(partial));
        int linked = 0;
        int copied = 0;
        long bytes = 0;
        int count = snapshot.segments().size();
        for (int i = 0; i < count; i++) {
            progress.progressed(PROGRESS_PHASE, i, count, PROGRESS_UNIT);
            IndexCheckpoint.Covered c = snapshot.segments().get(i);
            SegmentSet.Segment s = segments.segment(i);
            String name = SegmentFiles.fileName(c.firstGlobalSequence());
            Path target = to.resolve(name);
            boolean sealed = i < segments.count() - 1 && Files.size(s.path()) == c.coveredLength();
            if (sealed && tryLink(target, s.path(), hook, name)) {
                linked++;
                continue;
            }
            copyPrefix(s.path(), target, c.coveredLength(), hook, name);
            copied++;
            bytes += c.coveredLength();
        }
        progress.progressed(PROGRESS_PHASE, count, count, PROGRESS_UNIT);
        DurableFiles.fsyncDirectory(to, hook);
        IndexCheckpoint.write(partial, index, keys, snapshot, hook);
        return new Result(snapshot.rows(), linked, copied, bytes);
    }

    /** Makes the complete copy visible at {@code destination} (which must be absent or an empty directory). */
    public static void publish(Path partial, Path destination, IoFaultHook hook) throws IOException {
        DurableFiles.fsyncDirectory(partial, hook);
        if (Files.isDirectory(destination)) {
            try (Stream<Path> entries = Files.list(destination)) {
                if (entries.findAny().isPresent()) {
                    throw new FileAlreadyExistsException(destination + " is not empty");
                }
            }
            Files.delete(destination);
        }
        hook.beforeRename(partial.getFileName().toString(), destination.getFileName().toString());
        Files.move(partial, destination, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.fsyncDirectory(destination.toAbsolutePath().getParent(), hook);
    }

    /** Removes a partial backup directory, best effort. */
    public static void discard(Path partial) {
        if (!Files.exists(partial)) {
            return;
        }
        try (Stream<Path> files = Files.walk(partial)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // what is left is a hidden .partial directory, never the destination
        }
    }

    private static boolean tryLink(Path target, Path source, IoFaultHook hook, String name) throws IOException {
        hook.beforeCreate(name);
        try {
            Files.createLink(target, source);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            Files.deleteIfExists(target);
            return false;
        }
    }

    private static void copyPrefix(Path source, Path target, long length, IoFaultHook hook, String name)
            throws IOException {
        hook.beforeCreate(name);
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long position = 0;
            while (position < length) {
                int chunk = (int) Math.min(length - position, 8L << 20);
                hook.beforeWrite(name, position, chunk);
                long n = in.transferTo(position, chunk, out);
                if (n <= 0) {
                    throw new IOException(source + " ended at " + position + " of the " + length + " bytes to copy");
                }
                position += n;
            }
            hook.beforeForce(name);
            out.force(true);
        }
    }

    private static void forceFile(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }
}
