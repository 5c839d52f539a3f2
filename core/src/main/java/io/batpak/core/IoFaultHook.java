package io.batpak.core;

import java.io.IOException;

/**
 * Test hook that lets a test make the store's file I/O fail the way a full or failing disk would. The store calls
 * it before each I/O step that can fail: segment writes, forces and truncations, the creation of a new segment or
 * temporary file, the rename that replaces a file (the index checkpoint) and every directory force. Throwing an
 * {@link IOException} makes that step fail as if the system call had. File names are bare names
 * ({@code 00000000000000000042.seg}, {@code index.ckpt.tmp}); directories are paths.
 *
 * <p>Implementations must be thread-safe. Not for production use: the default, {@link #NONE}, never fails.
 */
public interface IoFaultHook {
    /** A hook that never fails. */
    IoFaultHook NONE = new IoFaultHook() {
    };

    /** Called before writing {@code length} bytes at {@code position} of {@code file}. */
    default void beforeWrite(String file, long position, int length) throws IOException {
    }

    /** Called before forcing {@code file}'s data to stable storage. */
    default void beforeForce(String file) throws IOException {
    }

    /** Called before truncating {@code file} back to {@code length} after a failed write. */
    default void beforeTruncate(String file, long length) throws IOException {
    }

    /** Called before creating {@code file} (a new segment, a temporary checkpoint). */
    default void beforeCreate(String file) throws IOException {
    }

    /** Called before atomically renaming {@code from} over {@code to}. */
    default void beforeRename(String from, String to) throws IOException {
    }

    /** Called before deleting {@code file} (a destroyed subject key). */
    default void beforeDelete(String file) throws IOException {
    }

    /** Called before forcing the entries (created, renamed, deleted files) of {@code directory}. */
    default void beforeDirectoryForce(String directory) throws IOException {
    }
}
