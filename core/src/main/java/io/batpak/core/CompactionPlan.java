package io.batpak.core;

import io.batpak.core.error.InvalidInputException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Predicate;

/**
 * What a compaction removes. Compaction rewrites the store's sealed segments (the active segment is sealed first, so
 * everything committed before the call is covered) and, in every one of them:
 * <ul>
 *   <li>always erases the payload bytes of redacted events (their headers, digests and hashes stay);</li>
 *   <li>removes the events the plan's rules select: older than {@link #withMaxAge max age}, beyond the newest
 *       {@link #withMaxEventsPerEntity N per entity}, or for which a {@link #withRemoveIf retention predicate}
 *       holds. A rule never removes a store record (an event of a reserved kind: redaction records, gate
 *       denials).</li>
 * </ul>
 * Removed events leave their global and entity sequences unused (never renumbered or reused) and an anchor per
 * entity, so {@code verify()} checks each entity's surviving events from the anchor. See {@code docs/FORMAT.md}
 * (removal frames) and {@code docs/ERASURE.md}.
 *
 * <p>{@link #ERASE_ONLY} removes no event. Immutable and thread-safe; each {@code with...} returns a new plan. Retention
 * predicates run on the compaction's thread, once per event of a rewritten segment; they must be thread-safe and must
 * not block.
 */
public final class CompactionPlan {
    /** Removes no event; erases the payload bytes of redacted events. */
    public static final CompactionPlan ERASE_ONLY = new CompactionPlan(null, -1, List.of());

    private final Duration maxAge;
    private final int maxEventsPerEntity;
    private final List<Predicate<StoredEvent>> removeIf;

    private CompactionPlan(Duration maxAge, int maxEventsPerEntity, List<Predicate<StoredEvent>> removeIf) {
        this.maxAge = maxAge;
        this.maxEventsPerEntity = maxEventsPerEntity;
        this.removeIf = List.copyOf(removeIf);
    }

    /**
     * Also removes events older than {@code maxAge} (by their timestamp, against the clock when compaction starts).
     *
     * @throws InvalidInputException when {@code maxAge} is null or negative
     */
    public CompactionPlan withMaxAge(Duration maxAge) {
        InvalidInputException.requireArgument(maxAge, "maxAge");
        if (maxAge.isNegative()) {
            throw new InvalidInputException("maxAge", "maxAge must not be negative, was " + maxAge);
        }
        return new CompactionPlan(maxAge, maxEventsPerEntity, removeIf);
    }

    /**
     * Also removes, per entity, every event but the newest {@code max} (counted by entity sequence when compaction
     * starts).
     *
     * @throws InvalidInputException when {@code max} is negative
     */
    public CompactionPlan withMaxEventsPerEntity(int max) {
        InvalidInputException.requireRange(max, 0, Integer.MAX_VALUE, "maxEventsPerEntity");
        return new CompactionPlan(maxAge, max, removeIf);
    }

    /**
     * Also removes every event for which {@code retention} returns true. Predicates add up: an event goes when any
     * rule selects it. A redacted event is passed without its payload; an event whose subject was forgotten, with
     * its payload erased.
     *
     * @throws InvalidInputException when {@code retention} is null
     */
    public CompactionPlan withRemoveIf(Predicate<StoredEvent> retention) {
        InvalidInputException.requireArgument(retention, "retention");
        List<Predicate<StoredEvent>> all = new ArrayList<>(removeIf);
        all.add(retention);
        return new CompactionPlan(maxAge, maxEventsPerEntity, all);
    }

    public Optional<Duration> maxAge() {
        return Optional.ofNullable(maxAge);
    }

    public OptionalInt maxEventsPerEntity() {
        return maxEventsPerEntity < 0 ? OptionalInt.empty() : OptionalInt.of(maxEventsPerEntity);
    }

    /** The retention predicates, in the order they were added. */
    public List<Predicate<StoredEvent>> removeIf() {
        return removeIf;
    }

    /** Whether the plan removes events at all (else it only erases redacted payloads). */
    public boolean removesEvents() {
        return maxAge != null || maxEventsPerEntity >= 0 || !removeIf.isEmpty();
    }

    @Override
    public String toString() {
        return "CompactionPlan[" + (maxAge == null ? "" : "maxAge=" + maxAge + " ")
                + (maxEventsPerEntity < 0 ? "" : "maxEventsPerEntity=" + maxEventsPerEntity + " ")
                + (removeIf.isEmpty() ? "" : removeIf.size() + " predicate(s) ") + "erase redacted payloads]";
    }
}
