package io.batpak.core.internal;

import io.batpak.core.error.StoreException;
import io.batpak.core.error.StoreLockedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Exclusive ownership of a data directory through an OS file lock on {@code <dir>/LOCK}, held for the store's
 * lifetime. A second open in this JVM or in another process fails with {@link StoreLockedException}.
 *
 * <p>OS file locks belong to the process, and on Linux closing <em>any</em> channel of the lock file releases
 * them. So a second open in this JVM must not open the lock file at all: directories locked by this JVM are
 * tracked in {@link #HELD} and refused before the file is touched.
 */
public final class DirectoryLock implements AutoCloseable {
    public static final String FILE_NAME = "LOCK";

    /** Lock files held by this JVM (real paths). */
    private static final HeldPaths HELD = new HeldPaths();

    private final FileChannel channel;
    private final FileLock lock;
    private final Path key;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DirectoryLock(FileChannel channel, FileLock lock, Path key) {
        this.channel = channel;
        this.lock = lock;
        this.key = key;
    }

    /**
     * @throws StoreLockedException when another open store holds the directory
     */
    public static DirectoryLock acquire(Path dataDir) {
        return acquire(dataDir, true);
    }

    /**
     * Takes the same exclusive lock; with {@code writeOwner} false the lock file's text (the owner pid) is left as
     * it is, so a read-only open changes no byte in the directory (it creates an empty {@code LOCK} only when the
     * file is missing).
     *
     * @throws StoreLockedException when another open store holds the directory
     */
    public static DirectoryLock acquire(Path dataDir, boolean writeOwner) {
        Path file = dataDir.resolve(FILE_NAME);
        Path key;
        try {
            key = dataDir.toRealPath().resolve(FILE_NAME);
        } catch (IOException e) {
            throw new StoreException("cannot resolve store directory " + dataDir + ": " + e.getMessage(), e);
        }
        if (!HELD.hold(key)) {
            throw new StoreLockedException(dataDir);
        }
        try {
            return lock(dataDir, file, key, writeOwner);
        } catch (RuntimeException e) {
            HELD.release(key);
            throw e;
        }
    }

    private static DirectoryLock lock(Path dataDir, Path file, Path key, boolean writeOwner) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new StoreException("cannot open lock file " + file + ": " + e.getMessage(), e);
        }
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            closeQuietly(ch);
            throw new StoreException("cannot lock " + file + ": " + e.getMessage(), e);
        }
        if (lock == null) {
            closeQuietly(ch);
            throw new StoreLockedException(dataDir);
        }
        DirectoryLock held = new DirectoryLock(ch, lock, key);
        if (writeOwner) {
            held.recordOwner();
        }
        return held;
    }

    /**
     * Writes this process's pid into the lock file, for diagnostics (which process holds the store). An open
     * calls it only once recovery succeeded, so a refused open leaves the file as it was.
     */
    public void recordOwner() {
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        } catch (IOException ignored) {
            // The lock is what matters, not the pid text.
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Nothing was written through it.
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            lock.release();
        } catch (IOException ignored) {
            // Closing the channel releases the lock as well.
        }
        closeQuietly(channel);
        HELD.release(key);
    }
}
