package io.batpak.persistence;

import io.batpak.core.error.StoreException;
import java.nio.file.Path;

/**
 * Thrown when the snapshot database (LMDB, under the store directory) fails: it cannot be opened, a transaction
 * fails, or the disk is full. A save that fails with it was not acknowledged and stored nothing; snapshots saved
 * before are unaffected. Retry once the cause (usually disk space or permissions, named in the message) is fixed.
 */
public final class SnapshotStoreException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final transient Path directory;

    public SnapshotStoreException(Path directory, String message, Throwable cause) {
        super("snapshot database " + directory + ": " + message, cause);
        this.directory = directory;
    }

    /** The directory of the snapshot database. */
    public Path directory() {
        return directory;
    }

    /** {@link Category#UNAVAILABLE}. */
    @Override
    public Category category() {
        return Category.UNAVAILABLE;
    }
}
