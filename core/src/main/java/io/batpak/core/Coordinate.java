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
public record Coordinate(String entity, String scope) implements java.io.Serializable {

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
        String problem = problem(value, MAX_COMPONENT_BYTES);
        if (problem != null) {
            throw new InvalidCoordinateException(component, value, problem);
        }
    }

    /**
     * The first rule a name breaks (null, empty, NUL or another control character, {@code /}, {@code |}, {@code =},
     * {@code ..}, an unpaired surrogate, more than {@code maxBytes} UTF-8 bytes), or null when it breaks none.
     * Shared by coordinate parts and tags.
     */
    static String problem(String value, int maxBytes) {
        if (value == null) {
            return "must not be null";
        }
        if (value.isEmpty()) {
            return "must not be empty";
        }
        int utf8 = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                return "must not contain NUL at index " + i;
            }
            if (c < 0x20 || c == 0x7F) {
                return "must not contain control character U+" + String.format("%04X", (int) c) + " at index " + i;
            }
            if (c == '/') {
                return "must not contain '/' (reserved for paths)";
            }
            if (c == '|' || c == '=') {
                return "must not contain '" + c + "' (reserved for checkpoint identities)";
            }
            if (c == '.' && i + 1 < value.length() && value.charAt(i + 1) == '.') {
                return "must not contain '..' (reserved for paths)";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                    return "must be valid Unicode (unpaired surrogate at index " + i + ")";
                }
                utf8 += 4;
                i++;
                continue;
            }
            if (Character.isLowSurrogate(c)) {
                return "must be valid Unicode (unpaired surrogate at index " + i + ")";
            }
            utf8 += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        if (utf8 > maxBytes) {
            return "must be at most " + maxBytes + " UTF-8 bytes (was " + utf8 + ")";
        }
        return null;
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
