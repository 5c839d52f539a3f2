package io.batpak.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.util.Objects;

/**
 * Turns payload objects into stored bytes and back: {@code byte[]} is stored as-is, anything else is encoded
 * with Jackson CBOR through a configurable {@link ObjectMapper} (which must be built on a CBOR factory).
 * Thread-safe once built (ObjectMapper is).
 */
public final class PayloadCodec {
    private final ObjectMapper mapper;

    public PayloadCodec(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /** A codec on a default {@link CBORMapper} with modules found on the class path registered. */
    public static PayloadCodec defaultCodec() {
        return new PayloadCodec(CBORMapper.builder().findAndAddModules().build());
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /**
     * Encodes a payload: a {@code byte[]} is returned as-is (not copied), anything else is CBOR-encoded.
     *
     * @throws PayloadEncodingException when Jackson cannot serialise the object
     */
    public byte[] encode(Object payload) {
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
        if (type == byte[].class) {
            return type.cast(bytes.clone());
        }
        try {
            return mapper.readValue(bytes, type);
        } catch (IOException e) {
            throw new PayloadEncodingException("cannot decode payload as " + type.getName() + ": " + e.getMessage(), e);
        }
    }
}
