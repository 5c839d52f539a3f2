package io.batpak.core.error;

import java.nio.file.Path;

/**
 * A compaction could not rewrite a segment (the disk filled up, a write, force or rename failed). The segment named is
 * unchanged and every event in it is still readable; segments compacted before it stay compacted. Fix the cause (the
 * message names it) and run the compaction again.
 */
public final class CompactionFailedException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final transient Path segment;

    public CompactionFailedException(Path segment, String what, Throwable cause) {
        super("compaction of " + segment + " failed, the segment is unchanged: " + what + ": " + cause, cause);
        this.segment = segment;
    }

    /** The segment that could not be rewritten. */
    public Path segment() {
        return segment;
    }

    /** {@link Category#RETRIABLE}. */
    @Override
    public Category category() {
        return Category.RETRIABLE;
    }
}
