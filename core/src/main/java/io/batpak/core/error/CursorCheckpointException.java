package io.batpak.core.error;

import java.nio.file.Path;

/**
 * Base class of the errors about one durable cursor checkpoint file ({@code <dataDir>/cursors/<id>.ckpt}); each
 * names the file. A cursor that gets one does not start: it never silently restarts from the beginning.
 */
public abstract class CursorCheckpointException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    protected CursorCheckpointException(Path file, String message) {
        super(message);
        this.file = file;
    }

    protected CursorCheckpointException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /** The checkpoint file concerned (not serialized: {@code null} after deserialization). */
    public Path file() {
        return file;
    }
}
