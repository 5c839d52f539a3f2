package io.batpak.core;

/**
 * A light description of a stored event, answered from the in-memory index without reading the segment file.
 */
public record IndexEntry(long globalSequence, EventId eventId, String entity, String scope, EventKind kind,
                         long entitySequence) {
    /** The event's coordinate. */
    public Coordinate coordinate() {
        return new Coordinate(entity, scope);
    }
}
