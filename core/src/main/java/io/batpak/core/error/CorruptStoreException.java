package io.batpak.core.error;

import java.nio.file.Path;

/**
 * Stored bytes failed validation: a bad checksum, length or header in a place where it cannot be a torn tail.
 * Names the file and byte offset where the problem was found. The store refuses to open (unless
 * {@code repair} is configured) or, when found while reading, refuses to serve the damaged event.
 */
public final class CorruptStoreException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final long offset;
    private final String reason;

    public CorruptStoreException(Path file, long offset, String reason) {
        super("corrupt store file " + file + " at offset " + offset + ": " + reason);
        this.file = file;
        this.offset = offset;
        this.reason = reason;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }

    public String reason() {
        return reason;
    }

    /** {@link Category#CORRUPTION}. */
    @Override
    public Category category() {
        return Category.CORRUPTION;
    }
}
