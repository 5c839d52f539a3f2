package io.batpak.core;

import io.batpak.core.error.InvalidCoordinateException;
import io.batpak.core.error.InvalidInputException;
import java.nio.charset.StandardCharsets;

/**
 * Where an event belongs: an {@code entity} (the stream key, anchor of the per-entity sequence and hash chain)
 * and a {@code scope} (an isolation or grouping label carried by each event; it does not split the stream).
 *
 * <p>Both components must be non-empty, valid Unicode, at most {@value #MAX_COMPONENT_BYTES} UTF-8 bytes, free of
 * control characters (below U+0020, and U+007F) and must not contain {@code /}, {@code ..}, {@code |} or
 * {@code =} (reserved for file names and checkpoint identities). Entity names may use {@code :} to form
 * namespaces ({@code order:42}). Violations throw {@link InvalidCoordinateException} naming the rule.
 *
 * <p>Immutable and thread-safe.
 */
public record Coordinate(String entity, String scope) {

    /** Maximum length of each component in UTF-8 bytes. */
    public static final int MAX_COMPONENT_BYTES = 1024;

    public Coordinate {
        validate("entity", entity);
        validate("scope", scope);
    }

    /** Creates a validated coordinate. */
    public static Coordinate of(String entity, String scope) {
        return new Coordinate(entity, scope);
    }

    /**
     * Validates one component (an entity or a scope name) with the coordinate rules.
     *
     * @param component {@code "entity"} or {@code "scope"}, used in the error message
     * @throws InvalidCoordinateException naming the broken rule
     */
    public static void validate(String component, String value) {
        InvalidInputException.requireArgument(component, "component");
        if (value == null) {
            throw new InvalidCoordinateException(component, null, "must not be null");
        }
        if (value.isEmpty()) {
            throw new InvalidCoordinateException(component, value, "must not be empty");
        }
        int utf8 = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                throw new InvalidCoordinateException(component, value, "must not contain NUL at index " + i);
            }
            if (c < 0x20 || c == 0x7F) {
                throw new InvalidCoordinateException(component, value,
                        "must not contain control character U+" + String.format("%04X", (int) c) + " at index " + i);
            }
            if (c == '/') {
                throw new InvalidCoordinateException(component, value, "must not contain '/' (reserved for paths)");
            }
            if (c == '|' || c == '=') {
                throw new InvalidCoordinateException(component, value,
                        "must not contain '" + c + "' (reserved for checkpoint identities)");
            }
            if (c == '.' && i + 1 < value.length() && value.charAt(i + 1) == '.') {
                throw new InvalidCoordinateException(component, value, "must not contain '..' (reserved for paths)");
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                    throw new InvalidCoordinateException(component, value, "must be valid Unicode (unpaired surrogate at index " + i + ")");
                }
                utf8 += 4;
                i++;
                continue;
            }
            if (Character.isLowSurrogate(c)) {
                throw new InvalidCoordinateException(component, value, "must be valid Unicode (unpaired surrogate at index " + i + ")");
            }
            utf8 += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        if (utf8 > MAX_COMPONENT_BYTES) {
            throw new InvalidCoordinateException(component, value,
                    "must be at most " + MAX_COMPONENT_BYTES + " UTF-8 bytes (was " + utf8 + ")");
        }
    }

    /** The entity name as UTF-8 bytes. */
    public byte[] entityBytes() {
        return entity.getBytes(StandardCharsets.UTF_8);
    }

    /** The scope name as UTF-8 bytes. */
    public byte[] scopeBytes() {
        return scope.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return entity + "@" + scope;
    }
}
