package io.batpak.core.error;

import java.nio.file.Path;

/** Thrown when a cursor checkpoint file exists but its bytes fail validation, so its position cannot be trusted. */
public final class CorruptCheckpointException extends CursorCheckpointException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    public CorruptCheckpointException(Path file, String reason) {
        super(file, "corrupt cursor checkpoint " + file + ": " + reason);
        this.reason = reason;
    }

    /** What was wrong, e.g. {@code "checksum mismatch"}. */
    public String reason() {
        return reason;
    }

    /** {@link Category#CORRUPTION}. */
    @Override
    public Category category() {
        return Category.CORRUPTION;
    }
}
