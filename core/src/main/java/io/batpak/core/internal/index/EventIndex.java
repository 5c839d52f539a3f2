package io.batpak.core.internal.index;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The in-memory index of every stored event: a global table in commit order (one row per global sequence, held
 * in chunked primitive columns, no object per event), the range of event ids in each chunk of the table, and a
 * posting list per entity.
 *
 * <p><b>Threading.</b> One writer thread calls {@link #entity}, {@link #scope}, {@link #append} and
 * {@link #publish}; any number of threads read concurrently without locks. Rows become visible to readers only
 * through {@link #publish}, which writes the volatile "visible up to" global sequence; a reader reads that
 * watermark first and then never looks at rows beyond it, so it sees whole group commits or nothing of them.
 *
 * <p>Heap per event: id (16 B), location (5 B: a 4-byte segment offset and a 1-byte segment ordinal above the
 * chunk's first), entity id (4 B), scope id (1 B) and kind (2 B) in the table (a frame's length follows from the next
 * frame's offset); 4 B in each of the entity's, the scope's and the kind's posting lists: about 40 bytes per event,
 * plus the lists' growth slack. A chunk whose segment ordinals or scope ids do not fit one byte above its base
 * (more than 255 segments or scopes within 4,096 rows) holds that column as ints (+3 B per row in that chunk). Tags add no column:
 * each tag occurrence is one int in its tag's posting list (4 to 6 B with the list's growth slack).
 *
 * <p><b>Finding an event by id.</b> There is no hash table from id to row. Event ids are UUIDv7, generated in
 * increasing order by {@link io.batpak.core.EventId#generate()} just before an event is staged, so the rows of one
 * chunk carry ids from a narrow range, and chunks' ranges barely overlap. The index keeps the smallest and largest id
 * (most significant half) of each chunk and of each group of 64 chunks. {@link #find} reads two longs per group and
 * per chunk of a group whose range holds the id, then binary-searches the one or two chunks whose range holds it
 * (each in id order, built by the first lookup that searches it: 2 bytes per row of a searched chunk), or scans the
 * newest, still filling chunk. Imported events keep the ids they were appended with, so a chunk of imported events
 * can have a wide range and be searched by more lookups; answers stay exact either way. This costs about 16 bytes per
 * chunk of 4,096 rows (plus the order of searched chunks) instead of 5 to 11 bytes per event of hash table, and
 * appending never pauses to rehash.
 */
public final class EventIndex {
    static final int CHUNK_SHIFT = 12;
    static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    static final int CHUNK_MASK = CHUNK_SIZE - 1;
    private static final int INITIAL_DIRECTORY = 16;
    /** Opaque access to {@link #idRanges}: a reader racing the writer reads a whole long, old or new. */
    private static final VarHandle RANGE = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int GROUP_SHIFT = 6;

    /** Column storage for CHUNK_SIZE consecutive rows. */
    static final class Chunk {
        /** Set in {@link #offset} for an event removed by compaction: bit 63 of its location. */
        private static final int REMOVED_OFFSET_BIT = Integer.MIN_VALUE;

        final long[] idMsb = new long[CHUNK_SIZE];
        final long[] idLsb = new long[CHUNK_SIZE];
        /**
         * The location's byte offset in its segment (bits 0 to 30: a frame starts below
         * {@link io.batpak.core.StoreConfig#MAX_SEGMENT_BYTES} plus a segment header) and, in bit 31, the location's
         * removed bit.
         */
        final int[] offset = new int[CHUNK_SIZE];
        /** The location's segment ordinal; created with the chunk's first location, whose ordinal is its base. */
        NarrowColumn ordinal;
        final int[] entityId = new int[CHUNK_SIZE];
        /** -1 for a removed event restored from its removal frame. */
        final NarrowColumn scopeId = new NarrowColumn(-1);
        final short[] kind = new short[CHUNK_SIZE];
        /**
         * The chunk's rows in increasing {@code idMsb} order, built by the first lookup that scans the chunk once all
         * of its rows are visible (ids never change); null until then.
         */
        volatile short[] idOrder;

        long location(int i) {
            int off = offset[i];
            long location = ((long) ordinal.get(i) << 32) | (off & ~REMOVED_OFFSET_BIT);
            return off < 0 ? location | REMOVED_BIT : location;
        }

        void location(int i, long location) {
            int off = (int) location;
            if (off < 0) {
                throw new IllegalStateException("segment offset " + (off & 0xFFFF_FFFFL) + " is out of range");
            }
            int ordinal = (int) (location >>> 32) & Integer.MAX_VALUE;
            if (this.ordinal == null) {
                this.ordinal = new NarrowColumn(ordinal);
            }
            this.ordinal.set(i, ordinal);
            offset[i] = location < 0 ? off | REMOVED_OFFSET_BIT : off;
        }

        boolean removed(int i) {
            return offset[i] < 0;
        }
    }

    private volatile Chunk[] chunks = new Chunk[INITIAL_DIRECTORY];
    /** Rows appended (writer thread only). */
    private int size;
    private volatile long visible = -1;

    /**
     * Per chunk {@code c}: at {@code 2c} the smallest and at {@code 2c + 1} the largest {@code idMsb} of its rows that
     * carry an id ({@link Long#MAX_VALUE} and {@link Long#MIN_VALUE} while it has none). The range only widens, so a
     * reader that sees a newer value than the watermark it read still finds every visible row.
     */
    private volatile long[] idRanges = emptyRanges(INITIAL_DIRECTORY, 0);
    /** The same over each group of {@code 2^GROUP_SHIFT} consecutive chunks, so a lookup skips whole groups. */
    private volatile long[] idGroupRanges = emptyRanges(groups(INITIAL_DIRECTORY), 0);

    private final ConcurrentHashMap<String, EntityState> entitiesByName = new ConcurrentHashMap<>();
    /** The same entities in name order, for prefix listing. */
    private final ConcurrentSkipListMap<String, EntityState> entitiesSorted = new ConcurrentSkipListMap<>();
    private volatile EntityState[] entitiesById = new EntityState[64];
    private int entityCount;

    private final NamedPostings scopes = new NamedPostings(false);

    /** Tags, listed in name order. */
    private final NamedPostings tags = new NamedPostings(true);

    /** Posting list per 16-bit kind, created on first use. */
    private final PostingList[] kindPostings = new PostingList[1 << 16];

    /**
     * Set in the location of an event that compaction removed; the rest of the value is the location of the removal
     * frame that records it. Every location with it is negative.
     */
    public static final long REMOVED_BIT = Long.MIN_VALUE;

    /** Whether a location is that of a removed event. */
    public static boolean isRemoved(long location) {
        return location < 0;
    }

    /** Packs a segment ordinal and a byte offset into one location value. */
    public static long location(int segmentOrdinal, int offset) {
        return ((long) segmentOrdinal << 32) | (offset & 0xFFFF_FFFFL);
    }

    public static int segmentOrdinal(long location) {
        return (int) (location >>> 32);
    }

    public static int segmentOffset(long location) {
        return (int) location;
    }

    // ---------------------------------------------------------------- writer side

    /** The entity's state, created when new. Writer thread only. */
    public EntityState entity(String name) {
        EntityState e = entitiesByName.get(name);
        return e != null ? e : newEntity(name, 0);
    }

    EntityState newEntity(String name, int capacity) {
        EntityState e = new EntityState(entityCount, name, capacity);
        EntityState[] byId = entitiesById;
        if (entityCount == byId.length) {
            EntityState[] grown = new EntityState[byId.length * 2];
            System.arraycopy(byId, 0, grown, 0, byId.length);
            byId = grown;
        }
        byId[entityCount++] = e;
        entitiesById = byId;
        entitiesByName.put(name, e);
        entitiesSorted.put(name, e);
        return e;
    }

    /** The id of a scope name, interned when new. Writer thread only. */
    public int scope(String name) {
        return scopes.intern(name);
    }

    /** The id of a tag, interned when new. Writer thread only. */
    public int tag(String name) {
        return tags.intern(name);
    }

    /** {@link #append(long, long, long, long, EntityState, int, int, long, byte[], int[])} without tags. */
    public void append(long globalSequence, long idMsb, long idLsb, long location, EntityState entity,
                       int scopeId, int kind, long entitySequence, byte[] eventHash) {
        append(globalSequence, idMsb, idLsb, location, entity, scopeId, kind, entitySequence, eventHash, null);
    }

    /**
     * Appends the row of the next global sequence. Invisible to readers until {@link #publish}. Writer thread only.
     *
     * <p>An event's entity sequence is its position in its entity's posting list; {@code entitySequence} (as
     * stored in the frame) is not kept. Recovery checks that the two agree; only a read-only open of a damaged store
     * indexes a frame whose stored sequence differs, so that verification can report it.
     *
     * @throws IllegalStateException when {@code globalSequence} is not the next one or the index is full
     */
    public void append(long globalSequence, long idMsb, long idLsb, long location, EntityState entity,
                       int scopeId, int kind, long entitySequence, byte[] eventHash, int[] tagIds) {
        checkNextRow(globalSequence);
        int row = size;
        Chunk c = chunkForWrite(row);
        int i = row & CHUNK_MASK;
        c.idMsb[i] = idMsb;
        c.idLsb[i] = idLsb;
        c.location(i, location);
        c.entityId[i] = entity.id();
        c.scopeId.set(i, scopeId);
        c.kind[i] = (short) kind;
        entity.append(row, eventHash);
        scopes.postings(scopeId).append(row);
        kindPostingsForWrite(kind).append(row);
        if (tagIds != null) {
            for (int t : tagIds) {
                tags.postings(t).append(row);
            }
        }
        widenIdRange(row, idMsb);
        size = row + 1;
    }

    /**
     * Appends the row of a removed event found in a removal frame during recovery: it keeps its entity sequence in the
     * entity's posting list but has no id, scope, kind or tags. {@code anchor}, when not null, becomes the entity's
     * last hash (the event was the entity's last removed one in its run). Recovery thread only.
     */
    public void appendRemoved(long globalSequence, EntityState entity, long removalFrameLocation, byte[] anchor) {
        checkNextRow(globalSequence);
        int row = size;
        Chunk c = chunkForWrite(row);
        int i = row & CHUNK_MASK;
        c.location(i, removalFrameLocation | REMOVED_BIT);
        c.entityId[i] = entity.id();
        c.scopeId.set(i, -1);
        entity.append(row, anchor);
        size = row + 1;
    }

    /**
     * Points a visible row at a new location: where a segment rewrite moved its frame, or (with {@link #REMOVED_BIT})
     * the removal frame that now records it. Called while readers are held off by the segment set's layout lock,
     * which publishes the change.
     */
    public void relocate(long globalSequence, long location) {
        chunk(globalSequence).location((int) globalSequence & CHUNK_MASK, location);
    }

    /** Whether the visible event {@code globalSequence} was removed by compaction. */
    public boolean removed(long globalSequence) {
        return location(globalSequence) < 0;
    }

    /**
     * The removed run that starts right after {@code afterGlobalSequence}: {@code [afterGlobalSequence + 1, end]} with
     * every event in it removed, as {@code end}; {@code afterGlobalSequence} itself when the next visible event is
     * there (or there is none).
     */
    public long removedThrough(long afterGlobalSequence) {
        long v = visible;
        long g = afterGlobalSequence + 1;
        while (g <= v && location(g) < 0) {
            g++;
        }
        return g - 1;
    }

    private void checkNextRow(long globalSequence) {
        if (globalSequence != size) {
            throw new IllegalStateException("index append out of order: expected " + size + ", got " + globalSequence);
        }
        if (size == Integer.MAX_VALUE) {
            throw new IllegalStateException("index is full (2^31 - 1 events)");
        }
    }

    /** Makes every row up to and including {@code lastGlobalSequence} visible. Writer thread only. */
    public void publish(long lastGlobalSequence) {
        if (lastGlobalSequence >= size) {
            throw new IllegalStateException("cannot publish " + lastGlobalSequence + ", only " + size + " rows");
        }
        visible = lastGlobalSequence;
    }

    /** Rows appended so far, visible or not (writer thread). */
    public int size() {
        return size;
    }

    private Chunk chunkForWrite(int row) {
        int ci = row >>> CHUNK_SHIFT;
        Chunk[] dir = chunks;
        if (ci >= dir.length) {
            Chunk[] grown = new Chunk[dir.length * 2];
            System.arraycopy(dir, 0, grown, 0, dir.length);
            long[] ranges = emptyRanges(grown.length, dir.length);
            System.arraycopy(idRanges, 0, ranges, 0, 2 * dir.length);
            long[] groupRanges = emptyRanges(groups(grown.length), groups(dir.length));
            System.arraycopy(idGroupRanges, 0, groupRanges, 0, 2 * groups(dir.length));
            // Published before the directory, so a reader that finds a chunk also finds its ranges.
            idGroupRanges = groupRanges;
            idRanges = ranges;
            dir = grown;
            chunks = dir;
        }
        Chunk c = dir[ci];
        if (c == null) {
            c = new Chunk();
            dir[ci] = c;
        }
        return c;
    }

    private static long[] emptyRanges(int chunks, int from) {
        long[] r = new long[2 * chunks];
        for (int c = from; c < chunks; c++) {
            r[2 * c] = Long.MAX_VALUE;
            r[2 * c + 1] = Long.MIN_VALUE;
        }
        return r;
    }

    private static int groups(int chunks) {
        return (chunks + (1 << GROUP_SHIFT) - 1) >>> GROUP_SHIFT;
    }

    /** Widens the id ranges of {@code row}'s chunk and of its group to hold {@code msb}. Writer thread only. */
    private void widenIdRange(int row, long msb) {
        int chunk = row >>> CHUNK_SHIFT;
        widen(idGroupRanges, 2 * (chunk >>> GROUP_SHIFT), msb);
        widen(idRanges, 2 * chunk, msb);
    }

    private static void widen(long[] ranges, int at, long msb) {
        if (msb < (long) RANGE.getOpaque(ranges, at)) {
            RANGE.setOpaque(ranges, at, msb);
        }
        if (msb > (long) RANGE.getOpaque(ranges, at + 1)) {
            RANGE.setOpaque(ranges, at + 1, msb);
        }
    }

    /** Whether the row at {@code i} of {@code c} carries no id: a removed event restored without it. */
    private static boolean withoutId(Chunk c, int i) {
        return c.idMsb[i] == 0 && c.idLsb[i] == 0 && c.removed(i);
    }

    // ---------------------------------------------------------------- reader side (any thread)

    /** The last visible global sequence, -1 when no event is visible. */
    public long visible() {
        return visible;
    }

    /**
     * Global sequence of the visible event with this id, or -1. The newest chunks are looked at first; only chunks
     * whose id range holds {@code msb} are searched: a full, visible chunk by binary search over its rows in id
     * order (built by the first lookup that searches it, 2 bytes per row), the newest chunk by a scan.
     */
    public long find(long msb, long lsb) {
        long v = visible;
        if (v < 0) {
            return -1;
        }
        Chunk[] dir = chunks;
        long[] groupRanges = idGroupRanges;
        long[] ranges = idRanges;
        int last = (int) (v >>> CHUNK_SHIFT);
        for (int gi = last >>> GROUP_SHIFT; gi >= 0; gi--) {
            if (!holds(groupRanges, gi, msb)) {
                continue;
            }
            int first = gi << GROUP_SHIFT;
            for (int ci = Math.min(last, first + (1 << GROUP_SHIFT) - 1); ci >= first; ci--) {
                if (!holds(ranges, ci, msb)) {
                    continue;
                }
                Chunk c = dir[ci];
                int end = ci == last ? (int) (v & CHUNK_MASK) : CHUNK_MASK;
                int i = end == CHUNK_MASK ? searchOrdered(c, msb, lsb) : scan(c, end, msb, lsb);
                if (i >= 0) {
                    return ((long) ci << CHUNK_SHIFT) | i;
                }
            }
        }
        return -1;
    }

    private static boolean holds(long[] ranges, int i, long msb) {
        return msb >= (long) RANGE.getOpaque(ranges, 2 * i) && msb <= (long) RANGE.getOpaque(ranges, 2 * i + 1);
    }

    /** The row in {@code [0, end]} of {@code c} with this id, or -1. */
    private static int scan(Chunk c, int end, long msb, long lsb) {
        long[] m = c.idMsb;
        for (int i = 0; i <= end; i++) {
            // Only the most significant half in the loop: the other checks run on a match.
            if (m[i] == msb && c.idLsb[i] == lsb && !withoutId(c, i)) {
                return i;
            }
        }
        return -1;
    }

    /** The row of full, visible chunk {@code c} with this id, or -1. */
    private static int searchOrdered(Chunk c, long msb, long lsb) {
        short[] order = c.idOrder;
        if (order == null) {
            order = idOrder(c.idMsb);
            // Racing lookups build the same order; any one of them may be kept.
            c.idOrder = order;
        }
        long[] m = c.idMsb;
        int lo = 0;
        int hi = CHUNK_SIZE;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (m[order[mid] & CHUNK_MASK] < msb) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        for (int p = lo; p < CHUNK_SIZE; p++) {
            int i = order[p] & CHUNK_MASK;
            if (m[i] != msb) {
                break;
            }
            if (c.idLsb[i] == lsb && !withoutId(c, i)) {
                return i;
            }
        }
        return -1;
    }

    /** Row offsets 0 to CHUNK_SIZE - 1 ordered by {@code msb} (a bottom-up merge sort; ids are nearly in order). */
    static short[] idOrder(long[] msb) {
        short[] a = new short[CHUNK_SIZE];
        for (int i = 0; i < CHUNK_SIZE; i++) {
            a[i] = (short) i;
        }
        short[] b = new short[CHUNK_SIZE];
        for (int width = 1; width < CHUNK_SIZE; width <<= 1) {
            for (int from = 0; from < CHUNK_SIZE; from += 2 * width) {
                int mid = Math.min(from + width, CHUNK_SIZE);
                int to = Math.min(from + 2 * width, CHUNK_SIZE);
                if (mid < to && msb[a[mid - 1] & CHUNK_MASK] <= msb[a[mid] & CHUNK_MASK]) {
                    System.arraycopy(a, from, b, from, to - from);
                    continue;
                }
                int i = from;
                int j = mid;
                for (int k = from; k < to; k++) {
                    if (j >= to || (i < mid && msb[a[i] & CHUNK_MASK] <= msb[a[j] & CHUNK_MASK])) {
                        b[k] = a[i++];
                    } else {
                        b[k] = a[j++];
                    }
                }
            }
            short[] t = a;
            a = b;
            b = t;
        }
        return a;
    }

    private Chunk chunk(long globalSequence) {
        if (globalSequence < 0 || globalSequence > visible) {
            throw new IndexOutOfBoundsException("global sequence " + globalSequence + " is not visible");
        }
        return chunks[(int) (globalSequence >>> CHUNK_SHIFT)];
    }

    public long location(long globalSequence) {
        return chunk(globalSequence).location((int) globalSequence & CHUNK_MASK);
    }

    /**
     * The frame length of a visible event, derived from the next event's location when both are in one segment
     * (frames are contiguous); -1 when it is the last of its segment or the last visible one, and so must be read
     * from the frame's length prefix.
     */
    public int length(long globalSequence) {
        long loc = location(globalSequence);
        if (globalSequence < visible) {
            long next = location(globalSequence + 1);
            // A removed neighbour (negative location) never matches: its removal frame's size is not this frame's.
            if (next >= 0 && loc >= 0 && segmentOrdinal(next) == segmentOrdinal(loc)) {
                return segmentOffset(next) - segmentOffset(loc);
            }
        }
        return -1;
    }

    public int entityIdAt(long globalSequence) {
        return chunk(globalSequence).entityId[(int) globalSequence & CHUNK_MASK];
    }

    public int scopeIdAt(long globalSequence) {
        return chunk(globalSequence).scopeId.get((int) globalSequence & CHUNK_MASK);
    }

    public int kindAt(long globalSequence) {
        return chunk(globalSequence).kind[(int) globalSequence & CHUNK_MASK] & 0xFFFF;
    }

    /** The coordinate of a visible, not removed event, from the index's names (no frame decoded). */
    public io.batpak.core.Coordinate coordinateAt(long globalSequence) {
        return entitiesById[entityIdAt(globalSequence)].coordinate(scopes.name(scopeIdAt(globalSequence)));
    }

    /** The entity sequence of a visible event (looked up in its entity's posting list). */
    public long entitySequenceAt(long globalSequence) {
        int entity = entityIdAt(globalSequence);
        return entitiesById[entity].postings().positionOf(globalSequence);
    }

    /** The posting list of a scope id. */
    public PostingList scopePostings(int scopeId) {
        return scopes.postings(scopeId);
    }

    /** The id of a scope name, or -1 when no event has it. */
    public int findScope(String name) {
        return scopes.find(name);
    }

    /** The id of a tag, or -1 when no event has it. */
    public int findTag(String name) {
        return tags.find(name);
    }

    /** The posting list of a tag id. */
    public PostingList tagPostings(int tagId) {
        return tags.postings(tagId);
    }

    public String tagName(int id) {
        return tags.name(id);
    }

    /** Tags interned so far (some may have no visible event yet). */
    public int tagCount() {
        return tags.count();
    }

    /** Tag names in [{@code from}, {@code to}) in name order ({@code to} null: unbounded), with their ids. */
    public java.util.NavigableMap<String, Integer> tagsInRange(String from, String to) {
        return tags.inRange(from, to);
    }

    /** The posting list of a 16-bit kind, or null when no event has it. */
    public PostingList kindPostings(int kind) {
        return kindPostings[kind];
    }

    /** Entities whose names are in [{@code from}, {@code to}) in name order ({@code to} null: unbounded). */
    public Collection<EntityState> entitiesInRange(String from, String to) {
        return Collections.unmodifiableCollection(to == null ? entitiesSorted.tailMap(from, true).values()
                : entitiesSorted.subMap(from, true, to, false).values());
    }

    private PostingList kindPostingsForWrite(int kind) {
        PostingList p = kindPostings[kind];
        if (p == null) {
            p = new PostingList(0);
            kindPostings[kind] = p;
        }
        return p;
    }

    public long idMsbAt(long globalSequence) {
        return chunk(globalSequence).idMsb[(int) globalSequence & CHUNK_MASK];
    }

    public long idLsbAt(long globalSequence) {
        return chunk(globalSequence).idLsb[(int) globalSequence & CHUNK_MASK];
    }

    /** The entity's state, or null when the store has no event for it. */
    public EntityState findEntity(String name) {
        return entitiesByName.get(name);
    }

    /** The entity with this id (ids are dense from 0). */
    public EntityState entityById(int id) {
        return entitiesById[id];
    }

    public int entityCount() {
        return entityCount;
    }

    /** Every entity known to the index (including ones whose events are not yet visible). */
    public Collection<EntityState> entities() {
        return Collections.unmodifiableCollection(entitiesByName.values());
    }

    public String scopeName(int id) {
        return scopes.name(id);
    }

    public int scopeCount() {
        return scopes.count();
    }

    /**
     * The visible head of an entity: number of its visible events. Appends not yet published are excluded.
     */
    public int visibleCount(EntityState e) {
        // Watermark first: the count read after it covers every row published up to it.
        long v = visible;
        int n = e.count();
        while (n > 0 && e.globalSequenceAt(n - 1) > v) {
            n--;
        }
        return n;
    }

    // ---------------------------------------------------------------- bulk restore (checkpoint), single thread

    Chunk chunkForRestore(int row) {
        return chunkForWrite(row);
    }

    void restoreSize(int rows) {
        size = rows;
    }

    /** Rebuilds the scope and kind posting lists from the restored columns. */
    void restorePostings() {
        int scopeCount = scopes.count();
        int[] scopeCounts = new int[scopeCount];
        int[] kindCounts = new int[kindPostings.length];
        for (int row = 0; row < size; row++) {
            Chunk c = chunks[row >>> CHUNK_SHIFT];
            int i = row & CHUNK_MASK;
            if (c.removed(i)) {
                continue;
            }
            scopeCounts[c.scopeId.get(i)]++;
            kindCounts[c.kind[i] & 0xFFFF]++;
        }
        for (int i = 0; i < scopeCount; i++) {
            scopes.postings(i).ensureCapacity(scopeCounts[i]);
        }
        for (int k = 0; k < kindCounts.length; k++) {
            if (kindCounts[k] > 0) {
                kindPostingsForWrite(k).ensureCapacity(kindCounts[k]);
            }
        }
        for (int row = 0; row < size; row++) {
            Chunk c = chunks[row >>> CHUNK_SHIFT];
            int i = row & CHUNK_MASK;
            if (c.removed(i)) {
                continue;
            }
            scopes.postings(c.scopeId.get(i)).append(row);
            kindPostingsForWrite(c.kind[i] & 0xFFFF).append(row);
        }
    }

    /** Computes every chunk's id range from the restored columns. */
    void restoreIdRanges() {
        for (int row = 0; row < size; row++) {
            Chunk c = chunks[row >>> CHUNK_SHIFT];
            int i = row & CHUNK_MASK;
            if (!withoutId(c, i)) {
                widenIdRange(row, c.idMsb[i]);
            }
        }
    }

    void restoreVisible() {
        visible = size - 1;
    }

    void restoreScope(String name) {
        scope(name);
    }

    /** Restores a tag and its posting list (increasing rows below {@link #size()}), checked by the caller. */
    void restoreTag(String name, int[] rows) {
        int id = tag(name);
        PostingList p = tags.postings(id);
        p.ensureCapacity(rows.length);
        for (int r : rows) {
            p.append(r);
        }
    }
}
