package io.batpak.core.error;

import io.batpak.core.AppendCondition;
import io.batpak.core.EventId;
import io.batpak.core.Region;

/**
 * An {@link AppendCondition} did not hold when the append was sequenced: an event matching one of its regions has a
 * global sequence after the condition's position. Nothing of the append (or of its atomic batch) was stored. Re-read the
 * region from {@link #afterGlobalSequence()} (or from the start), decide again and retry.
 */
public final class AppendConditionFailedException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final AppendCondition condition;
    private final Region region;
    private final long conflictingGlobalSequence;
    private final EventId conflictingEventId;

    /**
     * @param region the region of {@code condition} the conflicting event matches
     */
    public AppendConditionFailedException(AppendCondition condition, Region region, long conflictingGlobalSequence,
                                          EventId conflictingEventId) {
        super("append condition failed: event " + conflictingEventId + " at global sequence "
                + conflictingGlobalSequence + " matches region " + region.identity()
                + " after global sequence " + condition.afterGlobalSequence() + "; nothing was stored");
        this.condition = condition;
        this.region = region;
        this.conflictingGlobalSequence = conflictingGlobalSequence;
        this.conflictingEventId = conflictingEventId;
    }

    /** The condition that failed. */
    public AppendCondition condition() {
        return condition;
    }

    /** The region (of the condition's regions) that the conflicting event matches. */
    public Region region() {
        return region;
    }

    /** The condition's position. */
    public long afterGlobalSequence() {
        return condition.afterGlobalSequence();
    }

    /** The global sequence of the first event (lowest global sequence) that broke the condition. */
    public long conflictingGlobalSequence() {
        return conflictingGlobalSequence;
    }

    /** The id of that event. */
    public EventId conflictingEventId() {
        return conflictingEventId;
    }

    /** {@link Category#CONFLICT}. */
    @Override
    public Category category() {
        return Category.CONFLICT;
    }
}
