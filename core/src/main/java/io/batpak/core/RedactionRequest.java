package io.batpak.core;

import io.batpak.core.error.InvalidCoordinateException;
import io.batpak.core.error.InvalidInputException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * What to redact and why: every event of an entity, a list of events, or the events of a region, as visible when the
 * redaction runs. Redaction removes payloads and keeps each event's header, digest and place in its chain. Store
 * records (redaction records themselves) are never redacted.
 *
 * <p>By default the payload bytes stay in their segment until the next compaction erases them (reads return the event
 * without its payload at once); {@link #withEraseNow()} erases them before the redaction completes, by compacting the
 * segments that hold them. Immutable and thread-safe.
 */
public final class RedactionRequest {
    /** Longest reason kept (characters). */
    public static final int MAX_REASON_LENGTH = 1024;

    private final String entity;
    private final List<EventId> eventIds;
    private final Region region;
    private final String reason;
    private final boolean eraseNow;

    private RedactionRequest(String entity, List<EventId> eventIds, Region region, String reason, boolean eraseNow) {
        this.entity = entity;
        this.eventIds = eventIds;
        this.region = region;
        this.reason = reason;
        this.eraseNow = eraseNow;
    }

    /**
     * Every event of {@code entity}.
     *
     * @throws InvalidCoordinateException when {@code entity} is not a valid entity name
     * @throws InvalidInputException when {@code reason} is null, blank or longer than {@value #MAX_REASON_LENGTH}
     */
    public static RedactionRequest entity(String entity, String reason) {
        Coordinate.validate("entity", entity);
        return new RedactionRequest(entity, null, null, checkReason(reason), false);
    }

    /**
     * The events with these ids (ids the store does not hold are reported, not an error).
     *
     * @throws InvalidInputException when {@code eventIds} is null, empty or holds null, or for a bad {@code reason}
     */
    public static RedactionRequest events(Collection<EventId> eventIds, String reason) {
        String why = checkReason(reason);
        InvalidInputException.requireArgument(eventIds, "eventIds");
        if (eventIds.isEmpty()) {
            throw new InvalidInputException("eventIds", "eventIds must name at least one event");
        }
        List<EventId> ids = new ArrayList<>(eventIds.size());
        for (EventId id : eventIds) {
            ids.add(InvalidInputException.requireArgument(id, "eventIds element"));
        }
        return new RedactionRequest(null, List.copyOf(ids), null, why, false);
    }

    /**
     * The events of {@code region}.
     *
     * @throws InvalidInputException when {@code region} is null, or for a bad {@code reason}
     */
    public static RedactionRequest region(Region region, String reason) {
        InvalidInputException.requireArgument(region, "region");
        return new RedactionRequest(null, null, region, checkReason(reason), false);
    }

    /** This request, erasing the payload bytes from the store's files before the redaction completes. */
    public RedactionRequest withEraseNow() {
        return new RedactionRequest(entity, eventIds, region, reason, true);
    }

    private static String checkReason(String reason) {
        InvalidInputException.requireArgument(reason, "reason");
        if (reason.isBlank()) {
            throw new InvalidInputException("reason", "reason must not be blank");
        }
        if (reason.length() > MAX_REASON_LENGTH) {
            throw new InvalidInputException("reason", "reason is " + reason.length() + " characters, more than "
                    + MAX_REASON_LENGTH);
        }
        return reason;
    }

    /** The entity named, if the request names one. */
    public Optional<String> entity() {
        return Optional.ofNullable(entity);
    }

    /** The event ids named, if the request names ids. */
    public Optional<List<EventId>> eventIds() {
        return Optional.ofNullable(eventIds);
    }

    /** The region named, if the request names one. */
    public Optional<Region> region() {
        return Optional.ofNullable(region);
    }

    public String reason() {
        return reason;
    }

    /** Whether the payload bytes are erased before the redaction completes (else at the next compaction). */
    public boolean eraseNow() {
        return eraseNow;
    }

    /** What the request names, as recorded in {@link RedactionRecord#target()}. */
    public String target() {
        return entity != null ? "entity " + entity : region != null ? "region " + region : "events";
    }

    @Override
    public String toString() {
        return "RedactionRequest[" + target() + (eventIds != null ? " (" + eventIds.size() + ")" : "")
                + (eraseNow ? ", erase now" : "") + "]";
    }
}
