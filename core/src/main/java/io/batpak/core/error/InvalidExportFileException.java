package io.batpak.core.error;

import java.nio.file.Path;

/**
 * An import was refused because the file is not a complete, intact batpak export: not an export at all, truncated
 * (no trailer), damaged (a checksum, a field, a count does not hold), or holding an event this store cannot take (a
 * payload above {@code batpak.max-payload-bytes}). Nothing was imported: every file is checked whole before the
 * first event is appended.
 */
public final class InvalidExportFileException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final long position;

    /**
     * @param position the line (NDJSON, 1-based) or byte offset (binary) of the problem, -1 when it concerns the whole
     *                 file
     */
    public InvalidExportFileException(Path file, long position, String problem) {
        super("cannot import " + file + (position < 0 ? "" : " at " + position) + ": " + problem);
        this.file = file;
        this.position = position;
    }

    public Path file() {
        return file;
    }

    /** The line (NDJSON) or byte offset (binary) of the problem, -1 for the whole file. */
    public long position() {
        return position;
    }

    /** {@link Category#INVALID_INPUT}. */
    @Override
    public Category category() {
        return Category.INVALID_INPUT;
    }
}
