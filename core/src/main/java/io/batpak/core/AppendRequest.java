package io.batpak.core;

import io.batpak.core.error.InvalidEventTypeException;
import io.batpak.core.error.InvalidInputException;

/**
 * One item of an atomic batch (or a single append): where, what kind, the payload (a Jackson-serialisable
 * object, a {@code byte[]} stored as-is, or an {@link EncodedEvent} stored with its payload version) and its
 * options. A {@code typed} request ({@link #typed}) carries an
 * {@link EventType} object: the store stores it with its class's payload version (registering the class on first
 * use); other requests store payload version 0. Immutable if the payload is.
 */
public record AppendRequest(Coordinate coordinate, EventKind kind, Object payload, AppendOptions options,
                            boolean typed) {

    public AppendRequest {
        InvalidInputException.requireArgument(coordinate, "coordinate");
        InvalidInputException.requireArgument(kind, "kind");
        InvalidInputException.requireArgument(payload, "payload");
        InvalidInputException.requireArgument(options, "options");
    }

    /** An untyped request (payload version 0). */
    public AppendRequest(Coordinate coordinate, EventKind kind, Object payload, AppendOptions options) {
        this(coordinate, kind, payload, options, false);
    }

    public static AppendRequest of(Coordinate coordinate, EventKind kind, Object payload) {
        return new AppendRequest(coordinate, kind, payload, AppendOptions.DEFAULT);
    }

    public static AppendRequest of(Coordinate coordinate, EventKind kind, Object payload, AppendOptions options) {
        return new AppendRequest(coordinate, kind, payload, options);
    }

    /**
     * A request of an already encoded payload stored with {@code payloadVersion} (0: untyped), as a remote caller
     * or the actor protocol sends it; the payload is an {@link EncodedEvent}.
     */
    public static AppendRequest encoded(Coordinate coordinate, EventKind kind, byte[] payload, int payloadVersion,
                                        AppendOptions options) {
        return new AppendRequest(coordinate, kind, new EncodedEvent(kind, payloadVersion, payload), options);
    }

    /**
     * A typed request for an object of an {@link EventType} class: kind and payload version come from the class.
     *
     * @throws InvalidEventTypeException when the object's class is not a valid event type
     */
    public static AppendRequest typed(Coordinate coordinate, Object event) {
        return typed(coordinate, event, AppendOptions.DEFAULT);
    }

    /** {@link #typed(Coordinate, Object)} with options. */
    public static AppendRequest typed(Coordinate coordinate, Object event, AppendOptions options) {
        InvalidInputException.requireArgument(event, "event");
        return new AppendRequest(coordinate, EventTypeRegistry.describe(event.getClass()).kind(), event, options, true);
    }

    /** The request's tags (those of its options). */
    public java.util.List<String> tags() {
        return options.tags();
    }

    /**
     * This request with {@code tags} on its options (replacing tags set before).
     *
     * @throws io.batpak.core.error.InvalidTagException naming the first invalid tag
     */
    public AppendRequest withTags(String... tags) {
        return new AppendRequest(coordinate, kind, payload, options.withTags(tags), typed);
    }

    /** This request with {@code condition} on its options (null: none). */
    public AppendRequest withCondition(AppendCondition condition) {
        return new AppendRequest(coordinate, kind, payload, options.withCondition(condition), typed);
    }
}
