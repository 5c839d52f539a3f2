package io.batpak.persistence.internal;

import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;

/**
 * How Pekko names become batpak names, reversibly.
 *
 * <p>A persistence id becomes the batpak entity, its entity type ({@code PersistenceId.extractEntityType}, the text
 * before the first {@code |}) becomes the scope, so that every query by persistence id or entity type is answered
 * from an entity's or a scope's posting list, and a Pekko tag becomes a batpak tag. batpak names may not contain
 * {@code / | = :}, control characters or {@code ..}; those are percent-escaped here ({@code %} itself included),
 * and the {@code :} is escaped too so that a persistence id never forms a batpak namespace: the entity prefix
 * {@code a} matches exactly one persistence id. Names that are already valid stay readable:
 * {@code ShoppingCart|c-1} is stored as {@code ShoppingCart%7Cc-1}.
 *
 * <p>The two scopes below start with {@code %} followed by a letter that is not a hex digit, so no escaped name
 * can equal them. Thread-safe (stateless).
 */
public final class PekkoNames {
    /** Kind of an event written by the journal. Category 0xF is a user category, kept for this module. */
    public static final EventKind EVENT_KIND = EventKind.of(0xF, 0xFA0);
    /** Kind of a deletion mark: {@code deleteMessagesTo} recorded in the persistence id's own stream. */
    public static final EventKind DELETION_KIND = EventKind.of(0xF, 0xFA1);
    /** Scope of events whose persistence id has no entity type (no {@code |}). */
    public static final String UNTYPED_SCOPE = "%none";
    /** Scope of deletion marks. */
    public static final String DELETION_SCOPE = "%deletions";

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PekkoNames() {
    }

    /** The batpak entity of a persistence id. */
    public static String entity(String persistenceId) {
        return escape(persistenceId);
    }

    /** The persistence id of a batpak entity written by the journal. */
    public static String persistenceId(String entity) {
        return unescape(entity);
    }

    /** The batpak scope of an entity type; {@link #UNTYPED_SCOPE} for the empty type. */
    public static String scope(String entityType) {
        return entityType.isEmpty() ? UNTYPED_SCOPE : escape(entityType);
    }

    /** The batpak tag of a Pekko tag. */
    public static String tag(String pekkoTag) {
        return escape(pekkoTag);
    }

    /** The Pekko tag of a batpak tag written by the journal. */
    public static String pekkoTag(String tag) {
        return unescape(tag);
    }

    /** The coordinate of an event of {@code persistenceId} whose entity type is {@code entityType}. */
    public static Coordinate coordinate(String persistenceId, String entityType) {
        return Coordinate.of(entity(persistenceId), scope(entityType));
    }

    /**
     * Percent-escapes {@code %}, the characters batpak names reserve ({@code / | = :}), control characters and
     * the second dot of {@code ..}. Other characters, non-ASCII included, are kept.
     */
    static String escape(String name) {
        StringBuilder out = null;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean reserved = c == '%' || c == '/' || c == '|' || c == '=' || c == ':' || c < 0x20 || c == 0x7F
                    || (c == '.' && i > 0 && name.charAt(i - 1) == '.');
            if (reserved) {
                if (out == null) {
                    out = new StringBuilder(name.length() + 8).append(name, 0, i);
                }
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? name : out.toString();
    }

    /** Reverses {@link #escape}. */
    static String unescape(String name) {
        int first = name.indexOf('%');
        if (first < 0) {
            return name;
        }
        StringBuilder out = new StringBuilder(name.length()).append(name, 0, first);
        for (int i = first; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '%' && i + 2 < name.length() && isHex(name.charAt(i + 1)) && isHex(name.charAt(i + 2))) {
                out.append((char) Integer.parseInt(name, i + 1, i + 3, 16));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }
}
