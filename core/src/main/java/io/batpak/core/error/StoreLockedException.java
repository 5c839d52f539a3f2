package io.batpak.core.error;

import java.nio.file.Path;

/** The data directory is already owned by an open store, in this JVM or in another process. */
public final class StoreLockedException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final transient Path directory;

    public StoreLockedException(Path directory) {
        super("store directory " + directory + " is locked by another open store (this or another process)");
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }

    /** {@link Category#CONFLICT}. */
    @Override
    public Category category() {
        return Category.CONFLICT;
    }
}
