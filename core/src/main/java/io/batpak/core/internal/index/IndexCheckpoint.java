package io.batpak.core.internal.index;

import io.batpak.core.Coordinate;
import io.batpak.core.Hash;
import io.batpak.core.IoFaultHook;
import io.batpak.core.Tags;
import io.batpak.core.error.InvalidCoordinateException;
import io.batpak.core.internal.DurableFiles;
import io.batpak.core.internal.segment.SegmentFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The index checkpoint {@code <dir>/index.ckpt}, written so the next open loads the index and scans only the
 * segment bytes after it. Written to a temporary file, forced, renamed over the old one and the directory forced
 * ({@link DurableFiles}), so a crash leaves either the old or the new checkpoint, never a mix. Little-endian:
 *
 * <pre>
 * offset size field
 *   0     8  magic            "BATPAKCK"
 *   8     2  formatVersion    u16, 3
 *  10     2  reserved         0
 *  12     4  crc32c           CRC32C of the body, then of header bytes 0..11 and 16..23 (every byte but itself)
 *  16     8  bodyLength       u64
 *  24        body:
 *            u32 segmentCount; per segment: u64 firstGlobalSequence, u64 coveredLength
 *                (the file length the checkpoint covers; for sealed segments the whole file)
 *            u64 eventCount, i64 lastTimestampMicros
 *            u32 scopeCount;  per scope:  u16 length, UTF-8 name
 *            u32 entityCount; per entity: u16 length, UTF-8 name, 32-byte eventHash of its last event
 *            eventCount x i64 idMsb, i64 idLsb, i64 location, then eventCount x i32 entityId, i32 scopeId,
 *                then eventCount x u16 kind (column after column); an event removed by compaction has id 0,
 *                a negative location (the sign bit over its removal frame's location), scopeId -1 and kind 0
 *            u32 tagCount; per tag: u16 length, UTF-8 name, u32 n, n x i32 global sequence (increasing, below
 *                eventCount: the tag's posting list)
 *            u32 keyCount; per key: i64 msb, i64 lsb, i64 globalSequence (in commit order)
 * </pre>
 *
 * A checkpoint only ever saves work: it is trusted only if it is intact (magic, version, reserved bytes, length and
 * checksum) and the segment files still start with the same names and the covered lengths still fit. Anything
 * else (missing, damaged, unreadable, stale, foreign, or of another format version) makes the open fall back to a
 * scan of the segments; it never makes an open fail.
 */
public final class IndexCheckpoint {
    public static final String FILE_NAME = "index.ckpt";
    private static final String TEMP_NAME = "index.ckpt.tmp";
    private static final byte[] MAGIC = "BATPAKCK".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT_VERSION = 3;
    private static final int CRC_OFFSET = 12;
    private static final int HEADER_LENGTH = 24;
    private static final int BUFFER_BYTES = 1 << 20;

    /** A segment covered by the checkpoint. */
    public record Covered(long firstGlobalSequence, long coveredLength) {
    }

    /** What a loaded checkpoint covers. */
    public record Loaded(List<Covered> segments, long eventCount, long lastTimestampMicros) {
    }

    /** The checkpoint cannot be used; the reason is logged and the store falls back to a full scan. */
    public static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;

        public Unusable(String reason) {
            super(reason, null, false, false);
        }
    }

    private IndexCheckpoint() {
    }

    /**
     * What a checkpoint covers, taken on the writer's thread at a moment when every indexed event is durable: the
     * rows, the segment lengths and each entity's head at that moment. Cheap (no event is copied: index rows below
     * {@code rows} never change, and each head is a reference to an immutable hash), so the writer takes it between
     * two commits and the checkpoint is written elsewhere while appends continue.
     */
    public record Snapshot(int rows, int scopes, int tags, byte[][] entityHashes, List<Covered> segments,
                           long lastTimestampMicros) {
    }

    /**
     * Takes the snapshot of everything indexed now. Call on the writer's thread when every row of {@code index} is
     * durable and no commit is under way.
     */
    public static Snapshot snapshot(EventIndex index, List<Covered> segments, long lastTimestampMicros) {
        int entities = index.entityCount();
        byte[][] hashes = new byte[entities][];
        for (int i = 0; i < entities; i++) {
            hashes[i] = index.entityById(i).lastHashRef();
        }
        return new Snapshot(index.size(), index.scopeCount(), index.tagCount(), hashes, List.copyOf(segments),
                lastTimestampMicros);
    }

    /**
     * Writes a checkpoint of {@code snapshot}: its rows of {@code index} and the committed keys among them. Safe on
     * any thread while the writer appends after the snapshot. On failure the previous checkpoint (if any) is left
     * in place and the temporary file is removed. Callers never run two writes of one directory at once.
     */
    public static void write(Path dataDir, EventIndex index, IdempotencyIndex keys, Snapshot snapshot, IoFaultHook hook)
            throws IOException {
        Path tmp = dataDir.resolve(TEMP_NAME);
        List<Covered> segments = snapshot.segments();
        long lastTimestampMicros = snapshot.lastTimestampMicros();
        try (FileChannel ch = DurableFiles.createTemporary(tmp, hook)) {
            Out out = new Out(ch, HEADER_LENGTH, hook);
            int rows = snapshot.rows();
            out.putInt(segments.size());
            for (Covered c : segments) {
                out.putLong(c.firstGlobalSequence());
                out.putLong(c.coveredLength());
            }
            out.putLong(rows);
            out.putLong(lastTimestampMicros);
            int scopes = snapshot.scopes();
            out.putInt(scopes);
            for (int i = 0; i < scopes; i++) {
                out.putName(index.scopeName(i));
            }
            byte[][] heads = snapshot.entityHashes();
            out.putInt(heads.length);
            for (int i = 0; i < heads.length; i++) {
                out.putName(index.entityById(i).name());
                out.putBytes(heads[i]);
            }
            EventIndex.Chunk[] chunks = chunksOf(index, rows);
            for (int col = 0; col < 3; col++) {
                for (int r = 0; r < rows; r++) {
                    EventIndex.Chunk c = chunks[r >>> EventIndex.CHUNK_SHIFT];
                    int i = r & EventIndex.CHUNK_MASK;
                    // A removed event is stored as recovery rebuilds it from its removal frame: no id.
                    boolean removed = c.removed(i);
                    out.putLong(col == 0 ? (removed ? 0 : c.idMsb[i]) : col == 1 ? (removed ? 0 : c.idLsb[i])
                            : c.location(i));
                }
            }
            for (int col = 0; col < 2; col++) {
                for (int r = 0; r < rows; r++) {
                    EventIndex.Chunk c = chunks[r >>> EventIndex.CHUNK_SHIFT];
                    int i = r & EventIndex.CHUNK_MASK;
                    out.putInt(col == 0 ? c.entityId[i] : c.removed(i) ? -1 : c.scopeId.get(i));
                }
            }
            for (int r = 0; r < rows; r++) {
                EventIndex.Chunk c = chunks[r >>> EventIndex.CHUNK_SHIFT];
                int i = r & EventIndex.CHUNK_MASK;
                out.putShort(c.removed(i) ? 0 : c.kind[i]);
            }
            out.putInt(snapshot.tags());
            for (int t = 0; t < snapshot.tags(); t++) {
                out.putName(index.tagName(t));
                PostingList p = index.tagPostings(t);
                // Only the rows the snapshot covers: the writer keeps appending to the list meanwhile.
                int n = p.firstAfter(rows - 1L, p.count());
                out.putInt(n);
                for (int i = 0; i < n; i++) {
                    out.putInt(p.get(i));
                }
            }
            // One pass under the key index's lock; keys committed after the snapshot belong to the tail the next
            // open scans.
            long[] committed = keys.committedBefore(rows);
            out.putInt(committed.length / 3);
            for (long v : committed) {
                out.putLong(v);
            }
            out.flush();
            ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            header.put(MAGIC).putShort((short) FORMAT_VERSION).putShort((short) 0).putInt(0).putLong(out.bodyBytes);
            header.putInt(CRC_OFFSET, headerCrc(out.crc, header));
            header.flip();
            DurableFiles.writeFully(ch, TEMP_NAME, header, 0, hook);
            DurableFiles.force(ch, TEMP_NAME, hook);
        } catch (UncheckedIOException e) {
            DurableFiles.discard(tmp, e.getCause());
            throw e.getCause();
        } catch (IOException | RuntimeException e) {
            DurableFiles.discard(tmp, e);
            throw e;
        }
        DurableFiles.replace(tmp, dataDir.resolve(FILE_NAME), hook);
    }

    /** Completes the CRC of the body with every header byte but the CRC field itself. */
    private static int headerCrc(CRC32C bodyCrc, ByteBuffer header) {
        ByteBuffer h = header.duplicate();
        bodyCrc.update(h.limit(CRC_OFFSET).position(0));
        h = header.duplicate();
        bodyCrc.update(h.limit(HEADER_LENGTH).position(CRC_OFFSET + Integer.BYTES));
        return (int) bodyCrc.getValue();
    }

    private static EventIndex.Chunk[] chunksOf(EventIndex index, int rows) {
        EventIndex.Chunk[] out = new EventIndex.Chunk[(rows >>> EventIndex.CHUNK_SHIFT) + 1];
        for (int i = 0; i < out.length && ((long) i << EventIndex.CHUNK_SHIFT) < rows; i++) {
            out[i] = index.chunkForRestore(i << EventIndex.CHUNK_SHIFT);
        }
        return out;
    }

    /**
     * Loads the checkpoint into an empty index and key table, after checking it against the segment files.
     *
     * @throws Unusable when there is no checkpoint or it cannot be trusted (the caller falls back to a scan)
     */
    public static Loaded load(Path dataDir, List<Path> segmentFiles, EventIndex index, IdempotencyIndex keys)
            throws Unusable {
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            throw new Unusable("no checkpoint file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER_LENGTH) {
                throw new Unusable("checkpoint shorter than its header (" + size + " bytes)");
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            map.order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < MAGIC.length; i++) {
                if (map.get(i) != MAGIC[i]) {
                    throw new Unusable("bad checkpoint magic");
                }
            }
            // Checked before the version: a damaged version field must read as damage, not as a newer format.
            long bodyLength = map.getLong(16);
            if (bodyLength != size - HEADER_LENGTH) {
                throw new Unusable("checkpoint body length " + bodyLength + " does not match file size " + size);
            }
            ByteBuffer body = map.slice(HEADER_LENGTH, (int) bodyLength).order(ByteOrder.LITTLE_ENDIAN);
            CRC32C crc = new CRC32C();
            crc.update(body.duplicate());
            if (headerCrc(crc, map.slice(0, HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN)) != map.getInt(CRC_OFFSET)) {
                throw new Unusable("checkpoint checksum mismatch");
            }
            int version = map.getShort(8) & 0xFFFF;
            if (version != FORMAT_VERSION) {
                throw new Unusable("checkpoint format version " + version + " is not this version's ("
                        + FORMAT_VERSION + ")");
            }
            if (map.getShort(10) != 0) {
                throw new Unusable("checkpoint reserved header bytes are not zero");
            }
            return decode(body, segmentFiles, index, keys);
        } catch (IOException e) {
            throw new Unusable("checkpoint cannot be read: " + e);
        } catch (RuntimeException e) {
            throw new Unusable("checkpoint cannot be decoded: " + e);
        }
    }

    private static Loaded decode(ByteBuffer b, List<Path> segmentFiles, EventIndex index, IdempotencyIndex keys)
            throws Unusable, IOException {
        int segCount = b.getInt();
        if (segCount < 1 || segCount > segmentFiles.size()) {
            throw new Unusable("checkpoint covers " + segCount + " segments, directory has " + segmentFiles.size());
        }
        Covered[] covered = new Covered[segCount];
        for (int i = 0; i < segCount; i++) {
            covered[i] = new Covered(b.getLong(), b.getLong());
            Path p = segmentFiles.get(i);
            long first = SegmentFiles.parse(p.getFileName().toString());
            if (first != covered[i].firstGlobalSequence()) {
                throw new Unusable("segment " + i + " is " + p.getFileName() + ", checkpoint expects "
                        + SegmentFiles.fileName(covered[i].firstGlobalSequence()));
            }
            long len = Files.size(p);
            boolean last = i == segCount - 1;
            if (last ? len < covered[i].coveredLength() : len != covered[i].coveredLength()) {
                throw new Unusable("segment " + p.getFileName() + " is " + len + " bytes, checkpoint covers "
                        + covered[i].coveredLength());
            }
        }
        long rowsLong = b.getLong();
        long lastTs = b.getLong();
        if (rowsLong < 0 || rowsLong > Integer.MAX_VALUE) {
            throw new Unusable("bad event count " + rowsLong);
        }
        int rows = (int) rowsLong;
        if (segCount < segmentFiles.size()) {
            long nextFirst = SegmentFiles.parse(segmentFiles.get(segCount).getFileName().toString());
            if (nextFirst < rows) {
                throw new Unusable("segment " + segmentFiles.get(segCount).getFileName() + " overlaps the checkpoint's "
                        + rows + " events");
            }
        }
        // Every count is checked against the bytes left before anything is sized by it: an intact checksum over
        // crafted or foreign content must give Unusable, never an allocation the size of a lie.
        requireRows(b, rows, ROW_BYTES, "events");
        int scopes = b.getInt();
        requireRows(b, scopes, Short.BYTES, "scopes");
        for (int i = 0; i < scopes; i++) {
            index.restoreScope(getName(b, "scope"));
            if (index.scopeCount() != i + 1) {
                throw new Unusable("checkpoint names scope " + i + " twice");
            }
        }
        int entities = b.getInt();
        requireRows(b, entities, Short.BYTES + Hash.LENGTH, "entities");
        EntityState[] byId = new EntityState[entities];
        byte[][] hashes = new byte[entities][];
        for (int i = 0; i < entities; i++) {
            String name = getName(b, "entity");
            byte[] h = new byte[Hash.LENGTH];
            b.get(h);
            hashes[i] = h;
            byId[i] = index.entity(name);
            if (byId[i].id() != i) {
                throw new Unusable("checkpoint names entity \"" + name + "\" twice");
            }
        }
        for (int col = 0; col < 2; col++) {
            for (int base = 0; base < rows; base += EventIndex.CHUNK_SIZE) {
                int n = Math.min(EventIndex.CHUNK_SIZE, rows - base);
                EventIndex.Chunk c = index.chunkForRestore(base);
                b.asLongBuffer().get(col == 0 ? c.idMsb : c.idLsb, 0, n);
                b.position(b.position() + n * Long.BYTES);
            }
        }
        for (int r = 0; r < rows; r++) {
            long location = b.getLong();
            int off = (int) location;
            if (off < 0) {
                throw new Unusable("checkpoint row " + r + " has segment offset " + (off & 0xFFFF_FFFFL));
            }
            index.chunkForRestore(r).location(r & EventIndex.CHUNK_MASK, location);
        }
        for (int base = 0; base < rows; base += EventIndex.CHUNK_SIZE) {
            int n = Math.min(EventIndex.CHUNK_SIZE, rows - base);
            b.asIntBuffer().get(index.chunkForRestore(base).entityId, 0, n);
            b.position(b.position() + n * Integer.BYTES);
        }
        for (int r = 0; r < rows; r++) {
            index.chunkForRestore(r).scopeId.set(r & EventIndex.CHUNK_MASK, b.getInt());
        }
        for (int base = 0; base < rows; base += EventIndex.CHUNK_SIZE) {
            int n = Math.min(EventIndex.CHUNK_SIZE, rows - base);
            b.asShortBuffer().get(index.chunkForRestore(base).kind, 0, n);
            b.position(b.position() + n * Short.BYTES);
        }
        int tags = b.getInt();
        requireRows(b, tags, Short.BYTES + Integer.BYTES, "tags");
        for (int t = 0; t < tags; t++) {
            String name = getTag(b);
            int n = b.getInt();
            requireRows(b, n, Integer.BYTES, "occurrences of tag \"" + name + "\"");
            int[] tagRows = new int[n];
            int previous = -1;
            for (int i = 0; i < n; i++) {
                int r = b.getInt();
                if (r <= previous || r >= rows) {
                    throw new Unusable("checkpoint posting list of tag \"" + name + "\" is not increasing below " + rows);
                }
                tagRows[i] = r;
                previous = r;
            }
            index.restoreTag(name, tagRows);
            if (index.tagCount() != t + 1) {
                throw new Unusable("checkpoint names tag \"" + name + "\" twice");
            }
        }
        // Rebuild posting lists from the entity, scope and kind columns, each sized exactly.
        int[] counts = new int[entities];
        for (int r = 0; r < rows; r++) {
            EventIndex.Chunk c = index.chunkForRestore(r);
            int i = r & EventIndex.CHUNK_MASK;
            int e = c.entityId[i];
            boolean removed = c.removed(i);
            int scope = c.scopeId.get(i);
            if (e < 0 || e >= entities || (removed ? scope != -1 : scope < 0 || scope >= scopes)) {
                throw new Unusable("inconsistent checkpoint row " + r);
            }
            counts[e]++;
        }
        for (int i = 0; i < entities; i++) {
            byId[i].postings().ensureCapacity(counts[i]);
        }
        index.restoreSize(rows);
        index.restorePostings();
        for (int r = 0; r < rows; r++) {
            EventIndex.Chunk c = index.chunkForRestore(r);
            int e = c.entityId[r & EventIndex.CHUNK_MASK];
            byId[e].append(r, null);
        }
        for (int i = 0; i < entities; i++) {
            byId[i].restoreLastHash(hashes[i]);
        }
        index.restoreIdRanges();
        int keyCount = b.getInt();
        requireRows(b, keyCount, 3 * Long.BYTES, "idempotency keys");
        for (int i = 0; i < keyCount; i++) {
            keys.restore(b.getLong(), b.getLong(), b.getLong());
        }
        if (b.hasRemaining()) {
            throw new Unusable("checkpoint has " + b.remaining() + " trailing bytes");
        }
        index.restoreVisible();
        return new Loaded(List.of(covered), rows, lastTs);
    }

    /** Bytes per event row: id (16), location (8), entity and scope ids (8), kind (2). */
    private static final int ROW_BYTES = 3 * Long.BYTES + 2 * Integer.BYTES + Short.BYTES;

    private static void requireRows(ByteBuffer b, long count, int bytesEach, String what) throws Unusable {
        if (count < 0 || count * bytesEach > b.remaining()) {
            throw new Unusable("checkpoint claims " + count + " " + what + " but has only " + b.remaining()
                    + " bytes left");
        }
    }

    private static String getName(ByteBuffer b, String component) throws Unusable {
        int len = b.getShort() & 0xFFFF;
        byte[] bytes = new byte[len];
        b.get(bytes);
        String name = new String(bytes, StandardCharsets.UTF_8);
        try {
            Coordinate.validate(component, name);
        } catch (InvalidCoordinateException e) {
            throw new Unusable("checkpoint holds an invalid " + e.getMessage());
        }
        return name;
    }

    private static String getTag(ByteBuffer b) throws Unusable {
        int len = b.getShort() & 0xFFFF;
        byte[] bytes = new byte[Math.min(len, b.remaining())];
        b.get(bytes);
        String name = new String(bytes, StandardCharsets.UTF_8);
        String problem = Tags.problem(name);
        if (problem != null || bytes.length != len) {
            throw new Unusable("checkpoint holds an invalid tag: " + (problem == null ? "truncated" : problem));
        }
        return name;
    }

    /** Streams little-endian values through a buffer into the file after the header, tracking the CRC. */
    private static final class Out {
        final FileChannel ch;
        final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        final CRC32C crc = new CRC32C();
        final IoFaultHook hook;
        long position;
        long bodyBytes;

        Out(FileChannel ch, long start, IoFaultHook hook) {
            this.ch = ch;
            this.position = start;
            this.hook = hook;
        }

        void ensure(int n) {
            if (buf.remaining() < n) {
                flush();
            }
        }

        void putLong(long v) {
            ensure(8);
            buf.putLong(v);
        }

        void putInt(int v) {
            ensure(4);
            buf.putInt(v);
        }

        void putShort(short v) {
            ensure(2);
            buf.putShort(v);
        }

        void putBytes(byte[] v) {
            ensure(v.length);
            buf.put(v);
        }

        void putName(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            ensure(2 + b.length);
            buf.putShort((short) b.length);
            buf.put(b);
        }

        void flush() {
            buf.flip();
            crc.update(buf.duplicate());
            bodyBytes += buf.remaining();
            int n = buf.remaining();
            try {
                DurableFiles.writeFully(ch, TEMP_NAME, buf, position, hook);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            position += n;
            buf.clear();
        }
    }
}
