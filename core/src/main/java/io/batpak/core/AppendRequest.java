package io.batpak.core;

import java.util.Objects;

/**
 * One item of an atomic batch (or a single append): where, what kind, the payload (a Jackson-serialisable
 * object, or {@code byte[]} stored as-is) and its options. Immutable if the payload is.
 */
public record AppendRequest(Coordinate coordinate, EventKind kind, Object payload, AppendOptions options) {

    public AppendRequest {
        Objects.requireNonNull(coordinate, "coordinate");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(options, "options");
    }

    public static AppendRequest of(Coordinate coordinate, EventKind kind, Object payload) {
        return new AppendRequest(coordinate, kind, payload, AppendOptions.DEFAULT);
    }

    public static AppendRequest of(Coordinate coordinate, EventKind kind, Object payload, AppendOptions options) {
        return new AppendRequest(coordinate, kind, payload, options);
    }
}
