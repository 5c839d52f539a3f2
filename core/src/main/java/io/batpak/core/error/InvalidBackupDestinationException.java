package io.batpak.core.error;

import java.nio.file.Path;

/**
 * A backup destination was refused before anything was written: it is inside the store's directory, it exists and
 * is not an empty directory, it is a symbolic link, or its parent directory does not exist. {@link #reason()} says
 * which.
 */
public final class InvalidBackupDestinationException extends InvalidInputException {
    private static final long serialVersionUID = 1L;
    private final transient Path destination;
    private final String reason;

    public InvalidBackupDestinationException(Path destination, String reason) {
        super("destination", "backup destination " + destination + " refused: " + reason);
        this.destination = destination;
        this.reason = reason;
    }

    public Path destination() {
        return destination;
    }

    public String reason() {
        return reason;
    }
}
