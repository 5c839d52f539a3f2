package io.batpak.core;

/**
 * Told how far a long operation (verify, export, import, compaction, backup) has come, so that a caller can show a
 * progress bar. Calls come from the thread doing the work, in order, with {@code done} never decreasing within a
 * phase; {@code total} is the amount of work of the phase as known when it started (it may be exceeded when the
 * store grows meanwhile). An implementation must be quick, must not block, must not throw (a thrown exception
 * fails the operation) and must be thread-safe if it is shared.
 */
@FunctionalInterface
public interface ProgressListener {
    /** A listener that ignores every update. */
    ProgressListener NONE = (phase, done, total, unit) -> {
    };

    /**
     * @param phase what is being done now ("verifying", "checking", "importing", "rewriting", "copying", ...)
     * @param done how much of the phase is done
     * @param total how much the phase has to do (0 when unknown)
     * @param unit what {@code done} and {@code total} count: "events", "segments" or "bytes"
     */
    void progressed(String phase, long done, long total, String unit);
}
