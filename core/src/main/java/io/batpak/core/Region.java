package io.batpak.core;

import io.batpak.core.error.InvalidCoordinateException;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.InvalidRegionException;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A predicate over events, used by queries (and by subscriptions, cursors, reactors and append conditions): an
 * entity namespace prefix, an exact scope, a kind filter (an exact kind or a 4-bit category), an inclusive
 * per-entity sequence range and a set of tags an event must all carry. Unset parts match everything.
 *
 * <p>The entity prefix matches by namespace: {@code Region.entity("order")} matches {@code order} and
 * {@code order:42} (and {@code order:42:line:1}), but not {@code orders}. Each {@code with...} method returns a new
 * region; a kind filter set by {@link #withKind} or {@link #withCategory} replaces the previous one, while
 * {@link #withTag} adds to the tags named before. A query on a tag is answered from the tag's posting list.
 * Immutable and thread-safe.
 */
public final class Region implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private static final Region ALL = new Region(null, null, -1, -1, 0, Long.MAX_VALUE, List.of());
    /** Separator of entity namespaces. */
    public static final char NAMESPACE_SEPARATOR = ':';

    private final String entityPrefix;
    private final String scope;
    private final int kind;
    private final int category;
    private final long fromSequence;
    private final long toSequence;
    /** Sorted, distinct. */
    private final List<String> tags;

    private Region(String entityPrefix, String scope, int kind, int category, long fromSequence, long toSequence,
                   List<String> tags) {
        this.entityPrefix = entityPrefix;
        this.scope = scope;
        this.kind = kind;
        this.category = category;
        this.fromSequence = fromSequence;
        this.toSequence = toSequence;
        this.tags = tags;
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
        return new Region(prefix, null, -1, -1, 0, Long.MAX_VALUE, List.of());
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
        return new Region(entityPrefix, scope, kind, category, fromSequence, toSequence, tags);
    }

    /** Only events of exactly this kind (replaces a category filter). */
    public Region withKind(EventKind kind) {
        InvalidInputException.requireArgument(kind, "kind");
        return new Region(entityPrefix, scope, kind.raw(), -1, fromSequence, toSequence, tags);
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
        return new Region(entityPrefix, scope, -1, category, fromSequence, toSequence, tags);
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
        return new Region(entityPrefix, scope, kind, category, from, to, tags);
    }

    /** Events carrying {@code tag} (and, like every tag region, answered from the tag's posting list). */
    public static Region tag(String tag) {
        return ALL.withTag(tag);
    }

    /**
     * Only events that carry {@code tag}, besides every tag named before (an event must carry all of them).
     *
     * @throws InvalidRegionException when {@code tag} is not a valid tag, or the region would name more tags than
     *     an event can carry
     */
    public Region withTag(String tag) {
        String problem = Tags.problem(tag);
        if (problem != null) {
            throw new InvalidRegionException("invalid region: tag " + (tag == null ? "null" : "\"" + tag + "\"") + " "
                    + problem);
        }
        if (tags.contains(tag)) {
            return this;
        }
        if (tags.size() == Tags.MAX_TAGS) {
            throw new InvalidRegionException("invalid region: no event carries more than " + Tags.MAX_TAGS
                    + " tags, so a region cannot require more");
        }
        TreeSet<String> all = new TreeSet<>(tags);
        all.add(tag);
        return new Region(entityPrefix, scope, kind, category, fromSequence, toSequence, List.copyOf(all));
    }

    /** The tags an event must carry, in name order; empty when not filtered by tag. */
    public List<String> tagFilter() {
        return tags;
    }

    /** Whether an event with these tags carries every tag of this region. */
    public boolean matchesTags(List<String> eventTags) {
        InvalidInputException.requireArgument(eventTags, "eventTags");
        return eventTags.containsAll(tags);
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

    /**
     * Whether an event with these properties, and no tags, is in the region (never, when the region names a tag).
     */
    public boolean matches(String entity, String scope, int rawKind, long entitySequence) {
        return matches(entity, scope, rawKind, entitySequence, List.of());
    }

    /** Whether an event with these properties and these tags is in the region. */
    public boolean matches(String entity, String scope, int rawKind, long entitySequence, List<String> eventTags) {
        InvalidInputException.requireArgument(entity, "entity");
        InvalidInputException.requireArgument(scope, "scope");
        return matchesEntity(entity) && (this.scope == null || this.scope.equals(scope)) && matchesKind(rawKind)
                && matchesSequence(entitySequence) && matchesTags(eventTags);
    }

    /** Whether a stored event is in the region. */
    public boolean matches(StoredEvent e) {
        InvalidInputException.requireArgument(e, "e");
        return matches(e.coordinate().entity(), e.coordinate().scope(), e.kind().raw(), e.entitySequence(), e.tags());
    }

    /**
     * A canonical string naming exactly this region, stable across versions and processes (used to bind durable
     * cursor checkpoints to their region): {@code entity=<prefix|*>|scope=<scope|*>|kind=<0xKKKK|cat:0xC|*>|seq=<from>..<to|*>},
     * followed by {@code |tag=<tag>} for each tag in name order. Names and tags cannot contain {@code |} or
     * {@code =}, so the string is unambiguous.
     */
    public String identity() {
        String kindPart = kind >= 0 ? String.format("0x%04X", kind) : category >= 0 ? "cat:0x" + Integer.toHexString(category).toUpperCase() : "*";
        return "entity=" + (entityPrefix == null ? "*" : entityPrefix) + "|scope=" + (scope == null ? "*" : scope)
                + "|kind=" + kindPart + "|seq=" + fromSequence + ".." + (toSequence == Long.MAX_VALUE ? "*" : Long.toString(toSequence))
                + tagIdentity();
    }

    private String tagIdentity() {
        if (tags.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (String t : tags) {
            sb.append("|tag=").append(t);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Region r && Objects.equals(r.entityPrefix, entityPrefix) && Objects.equals(r.scope, scope)
                && r.kind == kind && r.category == category && r.fromSequence == fromSequence && r.toSequence == toSequence
                && r.tags.equals(tags);
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
