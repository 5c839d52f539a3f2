package io.batpak.core;

import io.batpak.core.error.InvalidCoordinateException;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.InvalidRegionException;
import java.util.Objects;

/**
 * A predicate over events, used by queries (and by subscriptions and cursors): an entity namespace prefix, an
 * exact scope, a kind filter (an exact kind or a 4-bit category) and an inclusive per-entity sequence range.
 * Unset parts match everything.
 *
 * <p>The entity prefix matches by namespace: {@code Region.entity("order")} matches {@code order} and
 * {@code order:42} (and {@code order:42:line:1}), but not {@code orders}. Each {@code with...} method returns a new
 * region; a kind filter set by {@link #withKind} or {@link #withCategory} replaces the previous one.
 * Immutable and thread-safe.
 */
public final class Region {
    private static final Region ALL = new Region(null, null, -1, -1, 0, Long.MAX_VALUE);
    /** Separator of entity namespaces. */
    public static final char NAMESPACE_SEPARATOR = ':';

    private final String entityPrefix;
    private final String scope;
    private final int kind;
    private final int category;
    private final long fromSequence;
    private final long toSequence;

    private Region(String entityPrefix, String scope, int kind, int category, long fromSequence, long toSequence) {
        this.entityPrefix = entityPrefix;
        this.scope = scope;
        this.kind = kind;
        this.category = category;
        this.fromSequence = fromSequence;
        this.toSequence = toSequence;
    }

    /** Every event. */
    public static Region all() {
        return ALL;
    }

    /**
     * Events of the entity {@code prefix} and of every entity in its namespace ({@code prefix:...}).
     *
     * @throws InvalidRegionException when the prefix is not a valid entity name
     */
    public static Region entity(String prefix) {
        try {
            Coordinate.validate("entity prefix", prefix);
        } catch (InvalidCoordinateException e) {
            throw new InvalidRegionException("invalid region: " + e.getMessage());
        }
        return new Region(prefix, null, -1, -1, 0, Long.MAX_VALUE);
    }

    /** Events of exactly this scope. */
    public static Region scope(String scope) {
        return ALL.withScope(scope);
    }

    /**
     * Only events of exactly this scope.
     *
     * @throws InvalidRegionException when the scope is not a valid scope name
     */
    public Region withScope(String scope) {
        try {
            Coordinate.validate("scope", scope);
        } catch (InvalidCoordinateException e) {
            throw new InvalidRegionException("invalid region: " + e.getMessage());
        }
        return new Region(entityPrefix, scope, kind, category, fromSequence, toSequence);
    }

    /** Only events of exactly this kind (replaces a category filter). */
    public Region withKind(EventKind kind) {
        InvalidInputException.requireArgument(kind, "kind");
        return new Region(entityPrefix, scope, kind.raw(), -1, fromSequence, toSequence);
    }

    /**
     * Only events whose kind has this 4-bit category (replaces an exact kind filter).
     *
     * @throws InvalidRegionException when the category is outside 0..15
     */
    public Region withCategory(int category) {
        if (category < 0 || category > EventKind.MAX_CATEGORY) {
            throw new InvalidRegionException("invalid region: category " + category + " is out of range 0..15");
        }
        return new Region(entityPrefix, scope, -1, category, fromSequence, toSequence);
    }

    /**
     * Only events whose entity sequence is in [{@code from}, {@code to}] (inclusive).
     *
     * @throws InvalidRegionException when {@code from < 0} or {@code from > to}
     */
    public Region withSequenceRange(long from, long to) {
        if (from < 0) {
            throw new InvalidRegionException("invalid region: sequence range start " + from + " is negative");
        }
        if (from > to) {
            throw new InvalidRegionException("invalid region: inverted sequence range " + from + ".." + to);
        }
        return new Region(entityPrefix, scope, kind, category, from, to);
    }

    /** The entity namespace prefix, or null for any entity. */
    public String entityPrefix() {
        return entityPrefix;
    }

    /** The exact scope, or null for any scope. */
    public String scopeFilter() {
        return scope;
    }

    /** The exact 16-bit kind, or -1 when not filtered by kind. */
    public int kindFilter() {
        return kind;
    }

    /** The category, or -1 when not filtered by category. */
    public int categoryFilter() {
        return category;
    }

    public long fromSequence() {
        return fromSequence;
    }

    public long toSequence() {
        return toSequence;
    }

    /** Whether an entity name is in this region's namespace. */
    public boolean matchesEntity(String entity) {
        InvalidInputException.requireArgument(entity, "entity");
        return entityPrefix == null || namespaceMatches(entityPrefix, entity);
    }

    /** Whether {@code entity} is {@code prefix} or inside its namespace ({@code prefix:...}). */
    public static boolean namespaceMatches(String prefix, String entity) {
        InvalidInputException.requireArgument(prefix, "prefix");
        InvalidInputException.requireArgument(entity, "entity");
        return entity.startsWith(prefix)
                && (entity.length() == prefix.length() || entity.charAt(prefix.length()) == NAMESPACE_SEPARATOR);
    }

    /** Whether a 16-bit kind passes the kind or category filter. */
    public boolean matchesKind(int rawKind) {
        if (kind >= 0) {
            return rawKind == kind;
        }
        return category < 0 || rawKind >>> 12 == category;
    }

    /** Whether an entity sequence is in the range. */
    public boolean matchesSequence(long entitySequence) {
        return entitySequence >= fromSequence && entitySequence <= toSequence;
    }

    /** Whether an event with these properties is in the region. */
    public boolean matches(String entity, String scope, int rawKind, long entitySequence) {
        InvalidInputException.requireArgument(entity, "entity");
        InvalidInputException.requireArgument(scope, "scope");
        return matchesEntity(entity) && (this.scope == null || this.scope.equals(scope)) && matchesKind(rawKind)
                && matchesSequence(entitySequence);
    }

    /** Whether a stored event is in the region. */
    public boolean matches(StoredEvent e) {
        InvalidInputException.requireArgument(e, "e");
        return matches(e.coordinate().entity(), e.coordinate().scope(), e.kind().raw(), e.entitySequence());
    }

    /**
     * A canonical string naming exactly this region, stable across versions and processes (used to bind durable
     * cursor checkpoints to their region): {@code entity=<prefix|*>|scope=<scope|*>|kind=<0xKKKK|cat:0xC|*>|seq=<from>..<to|*>}.
     * Names cannot contain {@code |} or {@code =}, so the string is unambiguous.
     */
    public String identity() {
        String kindPart = kind >= 0 ? String.format("0x%04X", kind) : category >= 0 ? "cat:0x" + Integer.toHexString(category).toUpperCase() : "*";
        return "entity=" + (entityPrefix == null ? "*" : entityPrefix) + "|scope=" + (scope == null ? "*" : scope)
                + "|kind=" + kindPart + "|seq=" + fromSequence + ".." + (toSequence == Long.MAX_VALUE ? "*" : Long.toString(toSequence));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Region r && Objects.equals(r.entityPrefix, entityPrefix) && Objects.equals(r.scope, scope)
                && r.kind == kind && r.category == category && r.fromSequence == fromSequence && r.toSequence == toSequence;
    }

    @Override
    public int hashCode() {
        return identity().hashCode();
    }

    @Override
    public String toString() {
        return "Region[" + identity() + "]";
    }
}
