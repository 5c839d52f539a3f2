package io.batpak.streams;

import io.batpak.core.AppendOptions;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.error.InvalidInputException;

/**
 * One event a {@link Reactor} asks to append: where, what kind and the payload (a Jackson-serialisable object or
 * {@code byte[]}), or a typed event ({@link #typed}). Correlation, causation and idempotency key are set by the
 * reactor runner. Immutable if the payload is.
 */
public final class Reaction {
    private final AppendRequest request;

    private Reaction(AppendRequest request) {
        this.request = request;
    }

    public static Reaction of(Coordinate coordinate, EventKind kind, Object payload) {
        return new Reaction(AppendRequest.of(coordinate, kind, payload));
    }

    /**
     * A typed reaction: an object of an {@link io.batpak.core.EventType} class.
     *
     * @throws io.batpak.core.error.InvalidEventTypeException when its class is not a valid event type
     */
    public static Reaction typed(Coordinate coordinate, Object event) {
        return new Reaction(AppendRequest.typed(coordinate, event));
    }

    public Coordinate coordinate() {
        return request.coordinate();
    }

    public EventKind kind() {
        return request.kind();
    }

    public Object payload() {
        return request.payload();
    }

    /** The request to append, with the options the runner sets. */
    AppendRequest toRequest(AppendOptions options) {
        return new AppendRequest(request.coordinate(), request.kind(), request.payload(),
                InvalidInputException.requireArgument(options, "options"), request.typed());
    }

    @Override
    public String toString() {
        return "Reaction[" + request.coordinate() + ", " + request.kind() + "]";
    }
}
