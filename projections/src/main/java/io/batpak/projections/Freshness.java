package io.batpak.projections;

import io.batpak.core.error.InvalidInputException;
import java.time.Duration;

/**
 * How fresh a projected state must be. {@link #consistent()}: the state as of the entity's latest visible event
 * when the call started, never stale. {@link #maxStale(Duration)}: a cached state computed at most that long ago
 * may be returned without looking at the store (a miss, or an older cache entry, is computed like
 * {@code consistent()}). Immutable.
 */
public final class Freshness {
    private static final Freshness CONSISTENT = new Freshness(Duration.ZERO);
    private final Duration maxStale;

    private Freshness(Duration maxStale) {
        this.maxStale = maxStale;
    }

    /** Never stale. */
    public static Freshness consistent() {
        return CONSISTENT;
    }

    /**
     * A cached state no older than {@code bound} is good enough.
     *
     * @throws InvalidInputException when {@code bound} is null or negative
     */
    public static Freshness maxStale(Duration bound) {
        InvalidInputException.requireArgument(bound, "bound");
        if (bound.isNegative()) {
            throw new InvalidInputException("bound", "a staleness bound must not be negative, was " + bound);
        }
        return bound.isZero() ? CONSISTENT : new Freshness(bound);
    }

    /** The staleness bound (zero for {@link #consistent()}). */
    public Duration bound() {
        return maxStale;
    }

    public boolean isConsistent() {
        return maxStale.isZero();
    }

    @Override
    public String toString() {
        return isConsistent() ? "Freshness.consistent" : "Freshness.maxStale(" + maxStale + ")";
    }
}
