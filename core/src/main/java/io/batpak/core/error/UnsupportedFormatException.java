package io.batpak.core.error;

import java.nio.file.Path;

/**
 * A file has a format version this code does not read (an older one without a migration, or a newer one); it is
 * refused, never misread, and left as it is.
 */
public final class UnsupportedFormatException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final int foundVersion;
    private final int supportedVersion;

    public UnsupportedFormatException(Path file, int foundVersion, int supportedVersion) {
        super("file " + file + " has format version " + foundVersion + "; this build reads only version "
                + supportedVersion + (foundVersion > supportedVersion ? " (upgrade batpak to open it)"
                : " (version " + foundVersion + " stores are not migrated)"));
        this.foundVersion = foundVersion;
        this.supportedVersion = supportedVersion;
    }

    /** The version the file has. */
    public int foundVersion() {
        return foundVersion;
    }

    /** The only version this build reads. */
    public int supportedVersion() {
        return supportedVersion;
    }

    /** {@link Category#FATAL}. */
    @Override
    public Category category() {
        return Category.FATAL;
    }
}
