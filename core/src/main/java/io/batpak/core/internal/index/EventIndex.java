package io.batpak.core.internal.index;

import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The in-memory index of every stored event: a global table in commit order (one row per global sequence, held
 * in chunked primitive columns, no object per event), a hash table from event id to global sequence, and a
 * posting list per entity.
 *
 * <p><b>Threading.</b> One writer thread calls {@link #entity}, {@link #scope}, {@link #append} and
 * {@link #publish}; any number of threads read concurrently without locks. Rows become visible to readers only
 * through {@link #publish}, which writes the volatile "visible up to" global sequence; a reader reads that
 * watermark first and then never looks at rows beyond it, so it sees whole group commits or nothing of them.
 *
 * <p>Heap per event: id (16 B), location (8 B: segment ordinal and offset), entity id and scope id (4 B each) and
 * kind (2 B) in the table (a frame's length follows from the next frame's offset); 4 B in each of the entity's, the
 * scope's and the kind's posting lists; and 5 to 11 B of id hash table (load factor 3/8 to 3/4): about 51 to 57
 * bytes per event. Tags add no column: each tag occurrence is one int in its tag's posting list (4 to 6 B with the
 * list's growth slack).
 */
public final class EventIndex {
    static final int CHUNK_SHIFT = 12;
    static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    static final int CHUNK_MASK = CHUNK_SIZE - 1;
    private static final int INITIAL_DIRECTORY = 16;
    private static final int INITIAL_ID_SLOTS = 1 << 12;

    /** Column storage for CHUNK_SIZE consecutive rows. */
    static final class Chunk {
        final long[] idMsb = new long[CHUNK_SIZE];
        final long[] idLsb = new long[CHUNK_SIZE];
        final long[] location = new long[CHUNK_SIZE];
        final int[] entityId = new int[CHUNK_SIZE];
        final int[] scopeId = new int[CHUNK_SIZE];
        final short[] kind = new short[CHUNK_SIZE];
    }

    private volatile Chunk[] chunks = new Chunk[INITIAL_DIRECTORY];
    /** Rows appended (writer thread only). */
    private int size;
    private volatile long visible = -1;

    private volatile int[] idSlots = new int[INITIAL_ID_SLOTS];
    private int idCount;

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
        c.location[i] = location;
        c.entityId[i] = entity.id();
        c.scopeId[i] = scopeId;
        c.kind[i] = (short) kind;
        entity.append(row, eventHash);
        scopes.postings(scopeId).append(row);
        kindPostingsForWrite(kind).append(row);
        if (tagIds != null) {
            for (int t : tagIds) {
                tags.postings(t).append(row);
            }
        }
        size = row + 1;
        insertId(idMsb, idLsb, row);
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
        c.location[i] = removalFrameLocation | REMOVED_BIT;
        c.entityId[i] = entity.id();
        c.scopeId[i] = -1;
        entity.append(row, anchor);
        size = row + 1;
    }

    /**
     * Points a visible row at a new location: where a segment rewrite moved its frame, or (with {@link #REMOVED_BIT})
     * the removal frame that now records it. Called while readers are held off by the segment set's layout lock,
     * which publishes the change.
     */
    public void relocate(long globalSequence, long location) {
        chunk(globalSequence).location[(int) globalSequence & CHUNK_MASK] = location;
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

    private static int mix(long msb, long lsb) {
        return KeyTable.mix(msb, lsb);
    }

    private void insertId(long msb, long lsb, int row) {
        int[] slots = idSlots;
        // Grow at load 3/4 (linear probing stays short; heap per event stays low).
        if ((idCount + 1L) * 4 > slots.length * 3L) {
            // The rehash walks every appended row, this one included.
            rehash(slots.length * 2);
        } else {
            place(slots, msb, lsb, row);
        }
        idCount++;
    }

    private static void place(int[] slots, long msb, long lsb, int row) {
        int mask = slots.length - 1;
        int h = mix(msb, lsb) & mask;
        while (slots[h] != 0) {
            h = (h + 1) & mask;
        }
        slots[h] = row + 1;
    }

    private int[] rehash(int capacity) {
        int[] grown = new int[capacity];
        for (int row = 0; row < size; row++) {
            Chunk c = chunks[row >>> CHUNK_SHIFT];
            int i = row & CHUNK_MASK;
            if (c.idMsb[i] == 0 && c.idLsb[i] == 0 && c.location[i] < 0) {
                // A removed event restored without its id (recovery, checkpoint): nothing to find it by.
                continue;
            }
            place(grown, c.idMsb[i], c.idLsb[i], row);
        }
        idSlots = grown;
        return grown;
    }

    // ---------------------------------------------------------------- reader side (any thread)

    /** The last visible global sequence, -1 when no event is visible. */
    public long visible() {
        return visible;
    }

    /** Global sequence of the visible event with this id, or -1. */
    public long find(long msb, long lsb) {
        long v = visible;
        int[] slots = idSlots;
        Chunk[] dir = chunks;
        int mask = slots.length - 1;
        int h = mix(msb, lsb) & mask;
        while (true) {
            int s = slots[h];
            if (s == 0) {
                return -1;
            }
            int row = s - 1;
            if (row <= v) {
                Chunk c = dir[row >>> CHUNK_SHIFT];
                int i = row & CHUNK_MASK;
                if (c.idMsb[i] == msb && c.idLsb[i] == lsb) {
                    return row;
                }
            }
            h = (h + 1) & mask;
        }
    }

    private Chunk chunk(long globalSequence) {
        if (globalSequence < 0 || globalSequence > visible) {
            throw new IndexOutOfBoundsException("global sequence " + globalSequence + " is not visible");
        }
        return chunks[(int) (globalSequence >>> CHUNK_SHIFT)];
    }

    public long location(long globalSequence) {
        return chunk(globalSequence).location[(int) globalSequence & CHUNK_MASK];
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
        return chunk(globalSequence).scopeId[(int) globalSequence & CHUNK_MASK];
    }

    public int kindAt(long globalSequence) {
        return chunk(globalSequence).kind[(int) globalSequence & CHUNK_MASK] & 0xFFFF;
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
            if (c.location[i] < 0) {
                continue;
            }
            scopeCounts[c.scopeId[i]]++;
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
            if (c.location[i] < 0) {
                continue;
            }
            scopes.postings(c.scopeId[i]).append(row);
            kindPostingsForWrite(c.kind[i] & 0xFFFF).append(row);
        }
    }

    void restoreIdTable() {
        int capacity = INITIAL_ID_SLOTS;
        while (capacity * 3L < (size + 1L) * 4) {
            capacity <<= 1;
        }
        idCount = size;
        rehash(capacity);
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
