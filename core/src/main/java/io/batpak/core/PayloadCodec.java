package io.batpak.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.PayloadEncodingException;
import java.io.IOException;

/**
 * Turns payload objects into stored bytes and back: {@code byte[]} is stored as-is, anything else is encoded
 * with Jackson CBOR through a configurable {@link ObjectMapper} (which must be built on a CBOR factory).
 * A codec bound to an {@link EventTypeRegistry} ({@link #withEventTypes}) decodes {@link EventType} classes with
 * that registry's upcasters ({@link #decodeEvent}). Thread-safe once built (ObjectMapper is).
 */
public final class PayloadCodec {
    private final ObjectMapper mapper;
    private final EventTypeRegistry eventTypes;

    public PayloadCodec(ObjectMapper mapper) {
        this(mapper, null);
    }

    private PayloadCodec(ObjectMapper mapper, EventTypeRegistry eventTypes) {
        this.mapper = InvalidInputException.requireArgument(mapper, "mapper");
        this.eventTypes = eventTypes;
    }

    /** A codec on a default {@link CBORMapper} with modules found on the class path registered. */
    public static PayloadCodec defaultCodec() {
        return new PayloadCodec(CBORMapper.builder().findAndAddModules().build());
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** A codec on the same mapper that decodes {@link EventType} classes with {@code registry}. */
    public PayloadCodec withEventTypes(EventTypeRegistry registry) {
        return new PayloadCodec(mapper, InvalidInputException.requireArgument(registry, "registry"));
    }

    /** The registry typed decoding uses, or null when this codec is not bound to one. */
    public EventTypeRegistry eventTypes() {
        return eventTypes;
    }

    /**
     * Encodes a payload: a {@code byte[]} is returned as-is (not copied), anything else is CBOR-encoded.
     *
     * @throws PayloadEncodingException when Jackson cannot serialise the object
     */
    public byte[] encode(Object payload) {
        InvalidInputException.requireArgument(payload, "payload");
        if (payload instanceof byte[] raw) {
            return raw;
        }
        try {
            return mapper.writeValueAsBytes(payload);
        } catch (IOException e) {
            throw new PayloadEncodingException("cannot encode payload of type " + payload.getClass().getName()
                    + " as CBOR: " + e.getMessage(), e);
        }
    }

    /**
     * Decodes CBOR bytes into {@code type}.
     *
     * @throws PayloadEncodingException when the bytes do not decode into {@code type}
     */
    public <T> T decode(byte[] bytes, Class<T> type) {
        InvalidInputException.requireArgument(bytes, "bytes");
        InvalidInputException.requireArgument(type, "type");
        if (type == byte[].class) {
            return type.cast(bytes.clone());
        }
        try {
            return mapper.readValue(bytes, type);
        } catch (IOException e) {
            throw new PayloadEncodingException("cannot decode payload as " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Decodes a stored event's payload: as {@link #decode} for an ordinary class; for an {@link EventType} class
     * with the typed rules of {@link EventTypeRegistry#decode} (kind check, version check, upcasting), using the
     * bound registry (registering the class on first use) or, when unbound, the class's annotation and no upcasters.
     *
     * @param kind the stored event's kind
     * @param payloadVersion the stored event's payload version
     */
    public <T> T decodeEvent(EventKind kind, int payloadVersion, byte[] bytes, Class<T> type) {
        InvalidInputException.requireArgument(kind, "kind");
        InvalidInputException.requireArgument(bytes, "bytes");
        InvalidInputException.requireArgument(type, "type");
        if (type.isAnnotationPresent(EventType.class)) {
            return eventTypes != null ? eventTypes.decode(this, kind, payloadVersion, bytes, type)
                    : EventTypeRegistry.decodeUnregistered(this, kind, payloadVersion, bytes, type);
        }
        return decode(bytes, type);
    }
}
