package io.batpak.core;

import io.batpak.core.error.AppendConditionFailedException;
import io.batpak.core.error.InvalidInputException;
import java.util.List;
import java.util.Objects;

/**
 * A consistency condition over a query (the "dynamic consistency boundary"): the append carrying it, or the atomic
 * batch carrying it on any item, commits only if <em>no</em> event matching any of its {@link #regions()} has a
 * global sequence greater than {@link #afterGlobalSequence()} at the moment the append is sequenced. Events committed, events
 * sequenced but not yet durable, and earlier items of the same batch all count; so does an event of another
 * entity. A decision read with {@code query(region, ...)} up to global sequence {@code g} stays valid exactly when
 * {@code noneMatching(region, g)} holds, without a shared aggregate; a decision read from several regions (a
 * course's events and a student's) uses {@link #noneMatchingAny}.
 *
 * <p>The check is atomic with sequencing: the store's single writer evaluates it right before it assigns the
 * append's global sequence, from the index's posting lists (no scan of the journal). A failed condition fails the
 * whole append or batch with {@link AppendConditionFailedException}; nothing of it is stored. It composes with
 * expected sequences, idempotency keys (a retry of a committed keyed append gets its receipt without a new check)
 * and gates, and because it is checked against what the index holds, it means the same after a crash and reopen.
 *
 * <p>Immutable and thread-safe.
 */
public final class AppendCondition implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final List<Region> regions;
    private final long afterGlobalSequence;

    private AppendCondition(List<Region> regions, long afterGlobalSequence) {
        this.regions = regions;
        this.afterGlobalSequence = afterGlobalSequence;
    }

    /**
     * Holds when no event in {@code region} has a global sequence greater than {@code afterGlobalSequence}
     * ({@code -1}: when no event in the region exists at all).
     *
     * @throws InvalidInputException when {@code region} is null or {@code afterGlobalSequence} is below -1
     */
    public static AppendCondition noneMatching(Region region, long afterGlobalSequence) {
        InvalidInputException.requireArgument(region, "region");
        return noneMatchingAny(List.of(region), afterGlobalSequence);
    }

    /**
     * Holds when no event in any of {@code regions} has a global sequence greater than {@code afterGlobalSequence}:
     * the condition of a decision that read several regions up to that position.
     *
     * @throws InvalidInputException when the list is null, empty or holds null, or {@code afterGlobalSequence} is
     *     below -1
     */
    public static AppendCondition noneMatchingAny(List<Region> regions, long afterGlobalSequence) {
        InvalidInputException.requireArgument(regions, "regions");
        if (regions.isEmpty()) {
            throw new InvalidInputException("regions", "invalid argument regions: name at least one region");
        }
        for (Region r : regions) {
            if (r == null) {
                throw new InvalidInputException("regions", "invalid argument regions: a region is null");
            }
        }
        if (afterGlobalSequence < -1) {
            throw new InvalidInputException("afterGlobalSequence",
                    "invalid argument afterGlobalSequence: must be -1 or more, was " + afterGlobalSequence);
        }
        return new AppendCondition(List.copyOf(regions), afterGlobalSequence);
    }

    /** The events that must not have appeared: those matching any of these regions. */
    public List<Region> regions() {
        return regions;
    }

    /** The global sequence after which no event of the region may exist; -1 means none at all. */
    public long afterGlobalSequence() {
        return afterGlobalSequence;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AppendCondition c && c.regions.equals(regions) && c.afterGlobalSequence == afterGlobalSequence;
    }

    @Override
    public int hashCode() {
        return Objects.hash(regions, afterGlobalSequence);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("noneMatching(");
        for (int i = 0; i < regions.size(); i++) {
            sb.append(i == 0 ? "" : " or ").append(regions.get(i).identity());
        }
        return sb.append(" after ").append(afterGlobalSequence).append(')').toString();
    }
}
