package io.batpak.core.internal.index;

import io.batpak.core.Region;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Answers "which visible events match a region, after a global sequence" from the index alone, in commit order.
 *
 * <p>It reads the visibility watermark once and never looks beyond it, so a result never holds an event that is
 * not yet visible nor part of an atomic batch. The driving list is chosen by selectivity: the posting lists of the
 * matching entities when the entity prefix names few entities (merged by global sequence, the sequence range cut
 * directly from them) and no tag list is shorter, else the shortest posting list of the named tags, the exact kind
 * or the scope, else the global table; remaining filters are checked against the table's columns, and the other
 * named tags by a binary search in their posting lists (the table has no tag column). Thread-safe (stateless,
 * reads only). Events removed by compaction are never selected.
 */
public final class RegionQuery {
    /** Up to this many entities are merged from their posting lists; more are matched through a bit set. */
    static final int MAX_MERGED_ENTITIES = 64;
    private static final int[] NONE = new int[0];
    private static final PostingList[] NO_TAGS = new PostingList[0];

    private RegionQuery() {
    }

    /**
     * Global sequences of visible events in {@code region} strictly after {@code after}, ascending, at most
     * {@code limit}.
     */
    public static int[] select(EventIndex index, Region region, long after, int limit) {
        long visible = index.visible();
        // Any position before the first event means "from the start".
        after = Math.max(after, -1L);
        if (limit <= 0 || after >= visible) {
            return NONE;
        }
        int scopeId = -1;
        if (region.scopeFilter() != null) {
            scopeId = index.findScope(region.scopeFilter());
            if (scopeId < 0) {
                return NONE;
            }
        }
        PostingList[] tags = NO_TAGS;
        if (!region.tagFilter().isEmpty()) {
            List<String> names = region.tagFilter();
            tags = new PostingList[names.size()];
            for (int i = 0; i < tags.length; i++) {
                int id = index.findTag(names.get(i));
                if (id < 0) {
                    return NONE;
                }
                tags[i] = index.tagPostings(id);
            }
            // Shortest first: it drives, the others are probed.
            Arrays.sort(tags, (a, b) -> Integer.compare(a.count(), b.count()));
        }
        Collector out = new Collector(limit);
        if (region.entityPrefix() != null) {
            List<EntityState> entities = matchingEntities(index, region.entityPrefix(), MAX_MERGED_ENTITIES + 1);
            if (entities.isEmpty()) {
                return NONE;
            }
            if (entities.size() <= MAX_MERGED_ENTITIES) {
                long entityEvents = 0;
                for (EntityState e : entities) {
                    entityEvents += e.count();
                }
                if (tags.length == 0 || entityEvents <= tags[0].count()) {
                    mergeEntities(index, entities, region, scopeId, tags, after, visible, out);
                    return out.result();
                }
            }
            BitSet ids = new BitSet();
            for (EntityState e : entities.size() <= MAX_MERGED_ENTITIES ? entities
                    : matchingEntities(index, region.entityPrefix(), Integer.MAX_VALUE)) {
                ids.set(e.id());
            }
            scan(index, region, ids, scopeId, tags, after, visible, out);
            return out.result();
        }
        scan(index, region, null, scopeId, tags, after, visible, out);
        return out.result();
    }

    /**
     * Whether the visible, not removed event {@code g} is in {@code region}, from the index alone (its entity, scope,
     * kind, entity sequence and tags), without reading its frame.
     */
    public static boolean matches(EventIndex index, Region region, long g) {
        if (index.removed(g)) {
            return false;
        }
        if (region.entityPrefix() != null && !region.matchesEntity(index.entityById(index.entityIdAt(g)).name())) {
            return false;
        }
        if (region.scopeFilter() != null && !region.scopeFilter().equals(index.scopeName(index.scopeIdAt(g)))) {
            return false;
        }
        return region.matchesKind(index.kindAt(g)) && region.matchesSequence(index.entitySequenceAt(g))
                && carriesTags(index, region, g);
    }

    /**
     * Whether the visible event {@code g} carries every tag {@code region} names, from the tags' posting lists (true
     * when it names none).
     */
    public static boolean carriesTags(EventIndex index, Region region, long g) {
        for (String t : region.tagFilter()) {
            int id = index.findTag(t);
            if (id < 0 || index.tagPostings(id).positionOf(g) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code g} is in every tag list from {@code from} on. */
    private static boolean carriesTags(PostingList[] tags, int from, long g) {
        for (int i = from; i < tags.length; i++) {
            if (tags[i].positionOf(g) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Entities equal to {@code prefix} or in its namespace, in name order, at most {@code max}. */
    static List<EntityState> matchingEntities(EventIndex index, String prefix, int max) {
        List<EntityState> out = new ArrayList<>();
        EntityState exact = index.findEntity(prefix);
        if (exact != null) {
            out.add(exact);
        }
        String from = prefix + Region.NAMESPACE_SEPARATOR;
        String to = prefix + (char) (Region.NAMESPACE_SEPARATOR + 1);
        for (EntityState e : index.entitiesInRange(from, to)) {
            if (out.size() >= max) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    private static void mergeEntities(EventIndex index, List<EntityState> entities, Region region, int scopeId,
                                      PostingList[] tags, long after, long visible, Collector out) {
        PriorityQueue<long[]> heads = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
        List<PostingList> lists = new ArrayList<>(entities.size());
        for (EntityState e : entities) {
            PostingList p = e.postings();
            int n = p.count();
            // Positions in an entity's posting list are its entity sequences; the range is cut in long arithmetic
            // (its bounds may be anywhere up to Long.MAX_VALUE) and only a position inside the list becomes an int.
            long to = Math.min(n - 1L, region.toSequence());
            long start = Math.max(region.fromSequence(), p.firstAfter(after, n));
            if (start <= to && p.get((int) start) <= visible) {
                lists.add(p);
                // {next global sequence, list index, position, last position}
                heads.add(new long[] {p.get((int) start), lists.size() - 1, start, to});
            }
        }
        while (!heads.isEmpty() && !out.full()) {
            long[] h = heads.poll();
            long g = h[0];
            if (g > visible) {
                continue;
            }
            if (matchesColumns(index, region, scopeId, g) && carriesTags(tags, 0, g)) {
                out.add((int) g);
            }
            int next = (int) h[2] + 1;
            if (next <= h[3]) {
                h[0] = lists.get((int) h[1]).get(next);
                h[2] = next;
                heads.add(h);
            }
        }
    }

    private static void scan(EventIndex index, Region region, BitSet entityIds, int scopeId, PostingList[] tags,
                             long after, long visible, Collector out) {
        PostingList driver = tags.length > 0 ? tags[0] : null;
        if (region.kindFilter() >= 0) {
            PostingList kinds = index.kindPostings(region.kindFilter());
            if (kinds == null) {
                return;
            }
            if (driver == null || kinds.count() < driver.count()) {
                driver = kinds;
            }
        }
        if (scopeId >= 0) {
            PostingList scopes = index.scopePostings(scopeId);
            if (driver == null || scopes.count() < driver.count()) {
                driver = scopes;
            }
        }
        boolean checkSequence = region.fromSequence() > 0 || region.toSequence() != Long.MAX_VALUE;
        if (driver != null) {
            int n = driver.count();
            for (int pos = driver.firstAfter(after, n); pos < n && !out.full(); pos++) {
                int g = driver.get(pos);
                if (g > visible) {
                    break;
                }
                if (accept(index, region, entityIds, scopeId, g, checkSequence)
                        && carriesTags(tags, driver == (tags.length > 0 ? tags[0] : null) ? 1 : 0, g)) {
                    out.add(g);
                }
            }
            return;
        }
        for (long g = after + 1; g <= visible && !out.full(); g++) {
            if (accept(index, region, entityIds, scopeId, g, checkSequence)) {
                out.add((int) g);
            }
        }
    }

    private static boolean accept(EventIndex index, Region region, BitSet entityIds, int scopeId, long g,
                                  boolean checkSequence) {
        if (entityIds != null && !entityIds.get(index.entityIdAt(g))) {
            return false;
        }
        if (!matchesColumns(index, region, scopeId, g)) {
            return false;
        }
        return !checkSequence || region.matchesSequence(index.entitySequenceAt(g));
    }

    private static boolean matchesColumns(EventIndex index, Region region, int scopeId, long g) {
        // An event removed by compaction matches nothing (its row stays so that sequences are never reused).
        return !index.removed(g) && (scopeId < 0 || index.scopeIdAt(g) == scopeId) && region.matchesKind(index.kindAt(g));
    }

    /** Collects up to {@code limit} global sequences. */
    private static final class Collector {
        private final int limit;
        private int[] values;
        private int size;

        Collector(int limit) {
            this.limit = limit;
            this.values = new int[Math.min(limit, 1024)];
        }

        boolean full() {
            return size >= limit;
        }

        void add(int g) {
            if (size == values.length) {
                values = Arrays.copyOf(values, (int) Math.min(limit, values.length * 2L));
            }
            values[size++] = g;
        }

        int[] result() {
            return size == values.length ? values : Arrays.copyOf(values, size);
        }
    }
}
