package io.batpak.core.error;

import java.nio.file.Path;

/** Thrown when a cursor checkpoint is already claimed by another open cursor in this JVM. */
public final class CheckpointInUseException extends CursorCheckpointException {
    private static final long serialVersionUID = 1L;

    public CheckpointInUseException(Path file) {
        super(file, "cursor checkpoint " + file + " is already in use by another open cursor in this JVM");
    }

    /** {@link Category#CONFLICT}. */
    @Override
    public Category category() {
        return Category.CONFLICT;
    }
}
