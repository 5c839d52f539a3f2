package io.batpak.core.error;

import java.nio.file.Path;

/**
 * A backup failed while copying (the disk filled up, a read or write failed). Nothing was created at the
 * destination and the partial copy was removed; the store itself is unaffected. Fix the cause (the message names
 * it) and run the backup again.
 */
public final class BackupFailedException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final transient Path destination;

    public BackupFailedException(Path destination, Throwable cause) {
        super("backup to " + destination + " failed, nothing was created there: " + cause, cause);
        this.destination = destination;
    }

    public Path destination() {
        return destination;
    }

    /** {@link Category#RETRIABLE}. */
    @Override
    public Category category() {
        return Category.RETRIABLE;
    }
}
