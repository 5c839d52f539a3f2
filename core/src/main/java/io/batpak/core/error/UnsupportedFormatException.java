package io.batpak.core.error;

import java.nio.file.Path;

/** A file was written by a newer format version than this code understands; it is refused, never misread. */
public final class UnsupportedFormatException extends StoreException {
    private static final long serialVersionUID = 1L;

    public UnsupportedFormatException(Path file, int foundVersion, int supportedVersion) {
        super("file " + file + " has format version " + foundVersion + "; this build reads up to version "
                + supportedVersion + " (upgrade batpak to open it)");
    }

    /** {@link Category#FATAL}. */
    @Override
    public Category category() {
        return Category.FATAL;
    }
}
