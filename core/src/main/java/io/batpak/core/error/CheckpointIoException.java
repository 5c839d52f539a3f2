package io.batpak.core.error;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Thrown when an I/O error prevents reading, writing or deleting a cursor checkpoint; the file's contents are
 * not known to be damaged, and a failed save leaves the previous checkpoint in place.
 */
public final class CheckpointIoException extends CursorCheckpointException {
    private static final long serialVersionUID = 1L;

    public CheckpointIoException(Path file, IOException cause) {
        super(file, "I/O error on cursor checkpoint " + file + ": " + cause, cause);
    }

    /** {@link Category#RETRIABLE}. */
    @Override
    public Category category() {
        return Category.RETRIABLE;
    }
}
