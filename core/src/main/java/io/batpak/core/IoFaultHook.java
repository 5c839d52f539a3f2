package io.batpak.core;

import java.io.IOException;

/**
 * Test hook that lets a test make segment I/O fail the way a full or failing disk would. Called by the writer
 * before each write and force of segment data; throwing an {@link IOException} makes that operation fail.
 * Implementations must be thread-safe. Not for production use.
 */
public interface IoFaultHook {
    /** Called before writing {@code length} bytes at {@code position} of {@code segmentFile}. */
    default void beforeWrite(String segmentFile, long position, int length) throws IOException {
    }

    /** Called before forcing {@code segmentFile}. */
    default void beforeForce(String segmentFile) throws IOException {
    }

    /** Called before truncating {@code segmentFile} back to {@code length} after a failed write. */
    default void beforeTruncate(String segmentFile, long length) throws IOException {
    }
}
