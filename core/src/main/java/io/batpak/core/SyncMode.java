package io.batpak.core;

import io.batpak.core.error.InvalidConfigException;
import io.batpak.core.error.InvalidInputException;
import java.time.Duration;

/**
 * When the writer forces written segment bytes to stable storage, and therefore what an acknowledgement means.
 *
 * <ul>
 *   <li>{@link #EVERY_COMMIT} (default): each group commit is written and forced ({@code fdatasync}) before any of
 *       its appends is acknowledged or becomes visible. An acknowledged event survives a process crash and a power
 *       loss.</li>
 *   <li>{@link #interval(Duration)}: each group commit is written to the operating system, then acknowledged and
 *       made visible; the segment is forced at most one interval later. An acknowledged event survives a process
 *       crash (kill -9); a power loss may take back up to one interval of acknowledged events.</li>
 *   <li>{@link #NONE}: like interval, but forced only at segment rotation and close. Survives a process crash,
 *       not a power loss.</li>
 * </ul>
 * Immutable and thread-safe.
 */
public final class SyncMode {
    /** The three policies. */
    public enum Kind { EVERY_COMMIT, INTERVAL, NONE }

    public static final SyncMode EVERY_COMMIT = new SyncMode(Kind.EVERY_COMMIT, Duration.ZERO);
    public static final SyncMode NONE = new SyncMode(Kind.NONE, Duration.ZERO);

    private final Kind kind;
    private final Duration interval;

    private SyncMode(Kind kind, Duration interval) {
        this.kind = kind;
        this.interval = interval;
    }

    /**
     * Force at most {@code interval} after a write.
     *
     * @throws InvalidConfigException when the interval is not positive
     */
    public static SyncMode interval(Duration interval) {
        InvalidInputException.requireArgument(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new InvalidConfigException("batpak.sync-interval", "must be positive, was " + interval);
        }
        return new SyncMode(Kind.INTERVAL, interval);
    }

    public Kind kind() {
        return kind;
    }

    /** The force interval for {@link Kind#INTERVAL}, zero otherwise. */
    public Duration interval() {
        return interval;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SyncMode s && s.kind == kind && s.interval.equals(interval);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + interval.hashCode();
    }

    @Override
    public String toString() {
        return kind == Kind.INTERVAL ? "INTERVAL(" + interval.toMillis() + "ms)" : kind.name();
    }
}
