package io.batpak.bench;

/** The two durability classes every append scenario is run in; each system is configured to match one. */
public enum Durability {
    /**
     * Acknowledged = forced to stable storage (survives power loss): batpak {@code SyncMode.EVERY_COMMIT}, SQLite WAL
     * with {@code synchronous=FULL}, the raw loop with {@code force}.
     */
    FSYNC("every-commit"),
    /**
     * Acknowledged = handed to the operating system (survives a process crash, not a power loss): batpak
     * {@code SyncMode.NONE}, Chronicle Queue, H2 (whose commits are written with a delay, never forced per commit),
     * SQLite WAL with {@code synchronous=NORMAL}, the raw loop without force.
     */
    NO_FSYNC("none");

    final String label;

    Durability(String label) {
        this.label = label;
    }
}
