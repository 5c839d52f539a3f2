package io.batpak.projections;

import io.batpak.core.error.StoreException;
import java.nio.file.Path;

/**
 * Thrown when the LMDB environment of projections and read models fails: it cannot be opened, a transaction fails,
 * or it was closed. A write that fails with it changed nothing. The message names the directory and the cause
 * (usually disk space or permissions); retry once it is fixed.
 */
public final class ProjectionStoreException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final transient Path directory;

    public ProjectionStoreException(Path directory, String message, Throwable cause) {
        super("projection database " + directory + ": " + message, cause);
        this.directory = directory;
    }

    /** The LMDB environment's directory. */
    public Path directory() {
        return directory;
    }

    /** {@link Category#UNAVAILABLE}. */
    @Override
    public Category category() {
        return Category.UNAVAILABLE;
    }
}
