package io.batpak.core;

import io.batpak.core.error.InvalidInputException;

/**
 * An event payload as bytes, with the kind and payload (schema) version it is stored under: what a typed event
 * becomes before it is sent to a store as plain data. Immutable apart from the array, which the holder must not
 * change.
 */
public record EncodedEvent(EventKind kind, int payloadVersion, byte[] payload) {
    public EncodedEvent {
        InvalidInputException.requireArgument(kind, "kind");
        InvalidInputException.requireArgument(payload, "payload");
        InvalidInputException.requireRange(payloadVersion, 0, EventTypeRegistry.MAX_VERSION, "payloadVersion");
    }
}
