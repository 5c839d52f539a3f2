package io.batpak.core.internal.segment;

import io.batpak.core.Coordinate;
import io.batpak.core.Hash;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A removal frame: what compaction leaves in a segment in place of a run of removed events. It keeps the global
 * sequences of the removed events (they are never reused), the entity each belonged to (so entity sequences stay
 * where they were) and, for each entity, an <em>anchor</em>: the entity sequence and eventHash of the last event of
 * that entity the run removed. The entity's next surviving event links to the anchor with its prevHash, so the
 * chain stays verifiable from there; an entity whose last event was removed appends its next event after it.
 *
 * <p>It shares the event frame's prefix and placement fields, so the scan, the checksum and the atomic-group checks
 * treat both alike; it is always a group of one. Layout (little-endian):
 *
 * <pre>
 * offset size field
 *   0     4  frameLength      u32, bytes after this 8-byte prefix
 *   4     4  crc32c           u32, CRC32C of bytes [8, 8 + frameLength)
 *   8     8  globalSequence   u64, global sequence of the first removed event
 *  16     4  batchCount       u32, 1
 *  20     4  batchIndex       u32, 0
 *  24   104  reserved         0
 * 128     1  frameType        2 = removal
 * 129     3  reserved         0
 * 132     4  removedCount     u32, n &gt;= 1: the run covers global sequences [globalSequence, globalSequence + n)
 * 136     4  nameCount        u32, entities named by the run, 1..n
 * 140     4  anchorCount      u32, = nameCount (one anchor per entity)
 * 144    80  reserved         0
 * 224     .  nameCount names (each a u16 length 1..1024 then the entity's UTF-8 bytes, each name once),
 *            n x u32 name index (the entity of each removed event, in global-sequence order),
 *            anchorCount x (u32 name index, u64 entitySequence, 32-byte eventHash)
 * </pre>
 *
 * <p>Only a rewrite of a sealed segment writes removal frames; the frame is not hashed into any chain (the anchors
 * are what the surviving events link to).
 */
public final class RemovalFrame {
    public static final int REMOVED_COUNT_OFFSET = 132;
    public static final int NAME_COUNT_OFFSET = 136;
    public static final int ANCHOR_COUNT_OFFSET = 140;
    static final int ANCHOR_LENGTH = 4 + 8 + Hash.LENGTH;

    private RemovalFrame() {
    }

    /** Collects one run of removed events (consecutive global sequences) and encodes it. Not thread-safe. */
    public static final class Builder {
        private long first = -1;
        private int count;
        private int[] entityOf = new int[256];
        private final List<byte[]> names = new ArrayList<>();
        private final Map<String, Integer> nameIndex = new HashMap<>();
        private long[] anchorSeq = new long[16];
        private byte[][] anchorHash = new byte[16][];

        /** Whether the run holds no event yet. */
        public boolean isEmpty() {
            return count == 0;
        }

        /** Removed events in the run. */
        public int count() {
            return count;
        }

        /** Global sequence of the run's first event, -1 when empty. */
        public long first() {
            return first;
        }

        /** The global sequence the next removed event must have to extend this run. */
        public long next() {
            return first + count;
        }

        /**
         * Adds the next removed event of the run.
         *
         * @param hash the event's eventHash; it becomes its entity's anchor unless a later event of the entity
         *             follows in the run. Null for an event merged from an earlier removal frame that was not its
         *             entity's anchor there (its hash is gone); such an event is never the last of its entity.
         */
        public void add(long globalSequence, String entity, long entitySequence, byte[] hash) {
            if (count == 0) {
                first = globalSequence;
            } else if (globalSequence != next()) {
                throw new IllegalStateException("removal run expects global sequence " + next() + ", got "
                        + globalSequence);
            }
            Integer idx = nameIndex.get(entity);
            if (idx == null) {
                idx = names.size();
                nameIndex.put(entity, idx);
                names.add(entity.getBytes(StandardCharsets.UTF_8));
                if (idx == anchorSeq.length) {
                    anchorSeq = Arrays.copyOf(anchorSeq, idx * 2);
                    anchorHash = Arrays.copyOf(anchorHash, idx * 2);
                }
            }
            if (count == entityOf.length) {
                entityOf = Arrays.copyOf(entityOf, count * 2);
            }
            entityOf[count++] = idx;
            anchorSeq[idx] = entitySequence;
            anchorHash[idx] = hash == null ? null : hash.clone();
        }

        /** Encoded size of the frame, prefix included. */
        public int size() {
            int n = FrameLayout.VARIABLE_OFFSET;
            for (byte[] b : names) {
                n += 2 + b.length;
            }
            return n + 4 * count + ANCHOR_LENGTH * names.size();
        }

        /** Writes the frame at {@code dst}'s position (little-endian) and empties the builder. */
        public void encodeTo(ByteBuffer dst) {
            if (count == 0) {
                throw new IllegalStateException("empty removal run");
            }
            for (int i = 0; i < names.size(); i++) {
                if (anchorHash[i] == null) {
                    throw new IllegalStateException("removal run has no anchor hash for entity "
                            + new String(names.get(i), StandardCharsets.UTF_8));
                }
            }
            int size = size();
            ByteBuffer b = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int base = b.position();
            for (int i = 0; i < FrameLayout.VARIABLE_OFFSET; i++) {
                b.put(base + i, (byte) 0);
            }
            b.putInt(base + FrameLayout.LENGTH_OFFSET, size - FrameLayout.PREFIX_LENGTH);
            b.putLong(base + FrameLayout.GLOBAL_SEQUENCE_OFFSET, first);
            b.putInt(base + FrameLayout.BATCH_COUNT_OFFSET, 1);
            b.putInt(base + FrameLayout.BATCH_INDEX_OFFSET, 0);
            b.put(base + FrameLayout.FRAME_TYPE_OFFSET, FrameLayout.FRAME_TYPE_REMOVAL);
            b.putInt(base + REMOVED_COUNT_OFFSET, count);
            b.putInt(base + NAME_COUNT_OFFSET, names.size());
            b.putInt(base + ANCHOR_COUNT_OFFSET, names.size());
            int at = base + FrameLayout.VARIABLE_OFFSET;
            b.position(at);
            for (byte[] name : names) {
                b.putShort((short) name.length).put(name);
            }
            for (int i = 0; i < count; i++) {
                b.putInt(entityOf[i]);
            }
            for (int i = 0; i < names.size(); i++) {
                b.putInt(i).putLong(anchorSeq[i]).put(anchorHash[i]);
            }
            CRC32C crc = new CRC32C();
            ByteBuffer covered = b.duplicate();
            covered.limit(base + size).position(base + FrameLayout.PREFIX_LENGTH);
            crc.update(covered);
            b.putInt(base + FrameLayout.CRC_OFFSET, (int) crc.getValue());
            dst.position(base + size);
            clear();
        }

        private void clear() {
            first = -1;
            count = 0;
            names.clear();
            nameIndex.clear();
            Arrays.fill(anchorHash, null);
        }
    }

    /** A decoded removal frame. */
    public record Decoded(long firstGlobalSequence, List<String> names, int[] entityOf, int[] anchorEntity,
                          long[] anchorSequence, byte[][] anchorHash) {
        public int count() {
            return entityOf.length;
        }

        /** The anchor of {@code entity} whose entity sequence is {@code sequence}, or null. */
        public byte[] anchor(String entity, long sequence) {
            for (int i = 0; i < anchorEntity.length; i++) {
                if (anchorSequence[i] == sequence && names.get(anchorEntity[i]).equals(entity)) {
                    return anchorHash[i];
                }
            }
            return null;
        }
    }

    /**
     * Checks the structure of a checksum-valid removal frame whose bytes are all inside {@code buf} at {@code base}
     * (the checksum itself is checked by {@link FrameView#validate}).
     *
     * @return null when it is well formed, else the first problem
     */
    static String problem(ByteBuffer buf, int base, long frameLength) {
        for (int i = FrameLayout.PAYLOAD_STATE_OFFSET; i < FrameLayout.FRAME_TYPE_OFFSET; i++) {
            if (buf.get(base + i) != 0) {
                return "reserved field of a removal frame is not zero";
            }
        }
        for (int i = FrameLayout.FRAME_TYPE_OFFSET + 1; i < REMOVED_COUNT_OFFSET; i++) {
            if (buf.get(base + i) != 0) {
                return "reserved field of a removal frame is not zero";
            }
        }
        for (int i = ANCHOR_COUNT_OFFSET + 4; i < FrameLayout.VARIABLE_OFFSET; i++) {
            if (buf.get(base + i) != 0) {
                return "reserved field of a removal frame is not zero";
            }
        }
        if (buf.getInt(base + FrameLayout.BATCH_COUNT_OFFSET) != 1 || buf.getInt(base + FrameLayout.BATCH_INDEX_OFFSET) != 0) {
            return "a removal frame is not a group of one";
        }
        long removed = Integer.toUnsignedLong(buf.getInt(base + REMOVED_COUNT_OFFSET));
        long names = Integer.toUnsignedLong(buf.getInt(base + NAME_COUNT_OFFSET));
        long anchors = Integer.toUnsignedLong(buf.getInt(base + ANCHOR_COUNT_OFFSET));
        if (removed < 1 || names < 1 || names > removed || anchors != names) {
            return "removal frame counts " + removed + "/" + names + "/" + anchors + " are inconsistent";
        }
        long end = FrameLayout.PREFIX_LENGTH + frameLength;
        long at = FrameLayout.VARIABLE_OFFSET;
        for (long i = 0; i < names; i++) {
            if (at + 2 > end) {
                return "removal frame name " + i + " runs past the end of the frame";
            }
            int len = buf.getShort(base + (int) at) & 0xFFFF;
            if (len < 1 || len > Coordinate.MAX_COMPONENT_BYTES) {
                return "bad length " + len + " of removal frame name " + i;
            }
            at += 2 + len;
        }
        if (at + 4 * removed + ANCHOR_LENGTH * anchors != end) {
            return "removal frame length " + frameLength + " does not match its parts";
        }
        long anchorsAt = at + 4 * removed;
        for (long i = 0; i < anchors; i++) {
            if (Integer.toUnsignedLong(buf.getInt(base + (int) (anchorsAt + ANCHOR_LENGTH * i))) >= names) {
                return "removal frame anchor " + i + " names no entity of the frame";
            }
        }
        for (long i = 0; i < removed; i++) {
            if (Integer.toUnsignedLong(buf.getInt(base + (int) (at + 4 * i))) >= names) {
                return "removal frame entry " + i + " names entity " + buf.getInt(base + (int) (at + 4 * i))
                        + " of " + names;
            }
        }
        return null;
    }

    /** Removed events in the well-formed removal frame at {@code base}. */
    public static long removedCount(ByteBuffer buf, int base) {
        return Integer.toUnsignedLong(buf.order(ByteOrder.LITTLE_ENDIAN).getInt(base + REMOVED_COUNT_OFFSET));
    }

    /** Decodes the well-formed removal frame at {@code base} of {@code buf}. */
    public static Decoded decode(ByteBuffer buf, int base) {
        ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int removed = b.getInt(base + REMOVED_COUNT_OFFSET);
        int nameCount = b.getInt(base + NAME_COUNT_OFFSET);
        int anchorCount = b.getInt(base + ANCHOR_COUNT_OFFSET);
        b.position(base + FrameLayout.VARIABLE_OFFSET);
        List<String> names = new ArrayList<>(nameCount);
        for (int i = 0; i < nameCount; i++) {
            byte[] n = new byte[b.getShort() & 0xFFFF];
            b.get(n);
            names.add(new String(n, StandardCharsets.UTF_8));
        }
        int[] entityOf = new int[removed];
        for (int i = 0; i < removed; i++) {
            entityOf[i] = b.getInt();
        }
        int[] anchorEntity = new int[anchorCount];
        long[] anchorSequence = new long[anchorCount];
        byte[][] anchorHash = new byte[anchorCount][];
        for (int i = 0; i < anchorCount; i++) {
            anchorEntity[i] = b.getInt();
            anchorSequence[i] = b.getLong();
            anchorHash[i] = new byte[Hash.LENGTH];
            b.get(anchorHash[i]);
        }
        return new Decoded(b.getLong(base + FrameLayout.GLOBAL_SEQUENCE_OFFSET), List.copyOf(names), entityOf,
                anchorEntity, anchorSequence, anchorHash);
    }
}
