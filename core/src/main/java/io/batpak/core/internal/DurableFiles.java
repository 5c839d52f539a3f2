package io.batpak.core.internal;

import io.batpak.core.IoFaultHook;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * The one way the store makes file changes durable: forcing a directory's entries, and replacing a file so that
 * a crash leaves either the old or the new content, never a mix (write a temporary file, force it, rename it over
 * the target, force the directory). Every step passes the {@link IoFaultHook}. Stateless and thread-safe.
 */
public final class DurableFiles {
    /** Windows cannot open a directory as a channel, so there is no directory force to do there. */
    private static final boolean DIRECTORY_OPEN_UNSUPPORTED =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    private DurableFiles() {
    }

    /** Forces {@code dir}'s entries (new, renamed or deleted files) to stable storage. */
    public static void fsyncDirectory(Path dir, IoFaultHook hook) throws IOException {
        hook.beforeDirectoryForce(dir.toString());
        FileChannel ch;
        try {
            ch = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException e) {
            if (DIRECTORY_OPEN_UNSUPPORTED) {
                return;
            }
            throw e;
        }
        try (ch) {
            ch.force(true);
        }
    }

    /**
     * Opens a new temporary file {@code tmp} for writing (truncating a leftover of an earlier failed attempt).
     * The caller writes it, then calls {@link #replace}; on failure it calls {@link #discard}.
     */
    public static FileChannel createTemporary(Path tmp, IoFaultHook hook) throws IOException {
        hook.beforeCreate(tmp.getFileName().toString());
        return FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
    }

    /** Writes all of {@code data} at {@code position} of {@code ch} (a file named {@code name}). */
    public static void writeFully(FileChannel ch, String name, ByteBuffer data, long position, IoFaultHook hook)
            throws IOException {
        hook.beforeWrite(name, position, data.remaining());
        long pos = position;
        while (data.hasRemaining()) {
            pos += ch.write(data, pos);
        }
    }

    /** Forces the data and metadata of {@code ch} (a file named {@code name}). */
    public static void force(FileChannel ch, String name, IoFaultHook hook) throws IOException {
        hook.beforeForce(name);
        ch.force(true);
    }

    /**
     * Atomically renames the written and forced temporary file {@code tmp} over {@code target} and forces the
     * directory. If the rename fails the target is untouched and {@code tmp} is removed.
     */
    public static void replace(Path tmp, Path target, IoFaultHook hook) throws IOException {
        try {
            hook.beforeRename(tmp.getFileName().toString(), target.getFileName().toString());
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            discard(tmp, e);
            throw e;
        }
        fsyncDirectory(target.getParent(), hook);
    }

    /** Writes {@code content} to {@code target} durably and atomically through the temporary file {@code tmp}. */
    public static void replaceWith(Path tmp, Path target, ByteBuffer content, IoFaultHook hook) throws IOException {
        try (FileChannel ch = createTemporary(tmp, hook)) {
            writeFully(ch, tmp.getFileName().toString(), content, 0, hook);
            force(ch, tmp.getFileName().toString(), hook);
        } catch (IOException | RuntimeException e) {
            discard(tmp, e);
            throw e;
        }
        replace(tmp, target, hook);
    }

    /** Removes a temporary file after a failed attempt; a failure to remove it is added to {@code cause}. */
    public static void discard(Path tmp, Throwable cause) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
