package io.batpak.core.error;

import java.nio.file.Path;

/** Thrown when a cursor checkpoint was saved by a cursor reading a different region than the one loading it. */
public final class CheckpointRegionMismatchException extends CursorCheckpointException {
    private static final long serialVersionUID = 1L;
    private final String storedIdentity;
    private final String expectedIdentity;

    public CheckpointRegionMismatchException(Path file, String storedIdentity, String expectedIdentity) {
        super(file, "cursor checkpoint " + file + " belongs to another region: it was saved for [" + storedIdentity
                + "], this cursor reads [" + expectedIdentity + "]; use another checkpoint id or delete the checkpoint");
        this.storedIdentity = storedIdentity;
        this.expectedIdentity = expectedIdentity;
    }

    /** The region identity stored in the checkpoint. */
    public String storedIdentity() {
        return storedIdentity;
    }

    /** The region identity of the cursor that tried to resume from it. */
    public String expectedIdentity() {
        return expectedIdentity;
    }

    /** {@link Category#CONFLICT}. */
    @Override
    public Category category() {
        return Category.CONFLICT;
    }
}
