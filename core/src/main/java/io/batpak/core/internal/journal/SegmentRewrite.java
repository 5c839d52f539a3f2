package io.batpak.core.internal.journal;

import static io.batpak.core.internal.segment.FrameLayout.BATCH_COUNT_OFFSET;
import static io.batpak.core.internal.segment.FrameLayout.BATCH_INDEX_OFFSET;
import static io.batpak.core.internal.segment.FrameLayout.CRC_OFFSET;
import static io.batpak.core.internal.segment.FrameLayout.LENGTH_OFFSET;
import static io.batpak.core.internal.segment.FrameLayout.PAYLOAD_REDACTED;
import static io.batpak.core.internal.segment.FrameLayout.PAYLOAD_STATE_OFFSET;
import static io.batpak.core.internal.segment.FrameLayout.PREFIX_LENGTH;

import io.batpak.core.IoFaultHook;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.internal.DurableFiles;
import io.batpak.core.internal.index.EntityState;
import io.batpak.core.internal.index.EventIndex;
import io.batpak.core.internal.segment.FrameView;
import io.batpak.core.internal.segment.RemovalFrame;
import io.batpak.core.internal.segment.SegmentFiles;
import io.batpak.core.internal.segment.SegmentHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Writes the rewrite of one sealed segment: each event frame is kept byte for byte, kept with its payload bytes cut
 * (erased: payload state 1, the frame shorter by the payload, digest and eventHash unchanged), or removed; each run of
 * removed events (with the removal frames already there) becomes one {@link RemovalFrame}. The rewrite goes to
 * {@code <segment>.rewrite}, forced; the caller renames it over the segment. The segment itself is only read.
 *
 * <p>Atomic groups: a group whose events are all kept keeps its placement; the kept events of a group that lost some
 * become groups of one (the group was committed whole long ago; only its surviving members are left to place).
 *
 * <p>Not thread-safe; one rewrite at a time per segment. Reads the index (visible rows only) without locks.
 */
final class SegmentRewrite {
    static final byte KEEP = 0;
    static final byte ERASE = 1;
    static final byte REMOVE = 2;
    /** Most removed events in one removal frame: bounds the frame and the memory that builds it. */
    static final int MAX_RUN = 1 << 16;
    private static final int OUT_BUFFER = 1 << 20;

    /** Decides what happens to one event frame. */
    interface Decider {
        /** {@link #KEEP}, {@link #ERASE} or {@link #REMOVE} for the event in {@code v}. */
        byte decide(FrameView v);
    }

    /** A written rewrite, not yet swapped in. */
    record Result(Path rewritten, int ordinal, long firstGlobalSequence, long[] locations, long bytesBefore,
                  long bytesAfter, int removed, int erased, long[] removedKeys) {
    }

    private SegmentRewrite() {
    }

    /**
     * Rewrites segment {@code ordinal} at {@code path}; returns null (and writes nothing) when the decider keeps every
     * event as it is.
     *
     * @throws CorruptStoreException when a frame of the segment fails its checks (nothing is rewritten)
     * @throws IOException when reading or writing fails (the partial rewrite is removed)
     */
    static Result rewrite(Path path, int ordinal, EventIndex index, Decider decider, IoFaultHook hook)
            throws IOException {
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = in.size();
            if (size < SegmentHeader.LENGTH) {
                throw new CorruptStoreException(path, 0, "segment is shorter than its header");
            }
            MappedByteBuffer map = in.map(FileChannel.MapMode.READ_ONLY, 0, size);
            map.order(ByteOrder.LITTLE_ENDIAN);
            SegmentHeader header = SegmentHeader.decode(map.slice(0, SegmentHeader.LENGTH), path);
            Plan plan = plan(map, path, size, header.firstGlobalSequence(), decider);
            if (!plan.changed) {
                return null;
            }
            return write(map, path, ordinal, size, header, plan, index, hook);
        }
    }

    /** What the first pass decided: one decision per global sequence of the segment. */
    private static final class Plan {
        byte[] decisions = new byte[4096];
        int rows;
        boolean changed;
        /** Whether each event's group lost a member (its kept members become groups of one). */
        boolean[] partialGroup = new boolean[4096];

        void add(byte d, int span) {
            if (rows + span > decisions.length) {
                int n = Math.max(rows + span, decisions.length * 2);
                decisions = Arrays.copyOf(decisions, n);
                partialGroup = Arrays.copyOf(partialGroup, n);
            }
            Arrays.fill(decisions, rows, rows + span, d);
            rows += span;
        }
    }

    private static Plan plan(ByteBuffer map, Path path, long size, long first, Decider decider) {
        Plan p = new Plan();
        FrameView v = new FrameView();
        long pos = SegmentHeader.LENGTH;
        int groupStart = -1;
        boolean groupLost = false;
        while (pos < size) {
            v.wrap(map, (int) pos);
            check(v, path, pos, size, first + p.rows);
            if (v.isRemoval()) {
                p.add(REMOVE, (int) v.sequenceSpan());
            } else {
                byte d = decider.decide(v);
                if (d == ERASE && v.payloadRedacted()) {
                    d = KEEP;
                }
                p.changed |= d != KEEP;
                if (v.batchCount() > 1 && v.batchIndex() == 0) {
                    groupStart = p.rows;
                    groupLost = false;
                }
                p.add(d, 1);
                if (v.batchCount() > 1) {
                    groupLost |= d == REMOVE;
                    if (v.batchIndex() == v.batchCount() - 1 && groupLost) {
                        Arrays.fill(p.partialGroup, groupStart, p.rows, true);
                    }
                }
            }
            pos += v.totalLength();
        }
        return p;
    }

    private static void check(FrameView v, Path path, long pos, long size, long expected) {
        if (size - pos < PREFIX_LENGTH || v.frameLength() < io.batpak.core.internal.segment.FrameLayout.MIN_FRAME_LENGTH
                || pos + v.totalLength() > size) {
            throw new CorruptStoreException(path, pos, "bad frame length in a sealed segment");
        }
        String problem = v.validate();
        if (problem != null) {
            throw new CorruptStoreException(path, pos, problem);
        }
        if (v.globalSequence() != expected) {
            throw new CorruptStoreException(path, pos, "frame holds global sequence " + v.globalSequence()
                    + ", expected " + expected);
        }
    }

    private static Result write(ByteBuffer map, Path path, int ordinal, long size, SegmentHeader header, Plan plan,
                                EventIndex index, IoFaultHook hook) throws IOException {
        Path tmp = SegmentFiles.rewritePath(path);
        String name = tmp.getFileName().toString();
        long first = header.firstGlobalSequence();
        long[] locations = new long[plan.rows];
        long[] keys = new long[0];
        int keyCount = 0;
        int removed = 0;
        int erased = 0;
        Out out = null;
        try (FileChannel ch = DurableFiles.createTemporary(tmp, hook)) {
            out = new Out(ch, name, hook);
            out.put(map.duplicate().position(0).limit(SegmentHeader.LENGTH));
            RemovalFrame.Builder run = new RemovalFrame.Builder();
            FrameView v = new FrameView();
            long pos = SegmentHeader.LENGTH;
            int row = 0;
            while (pos < size) {
                v.wrap(map, (int) pos);
                int total = (int) v.totalLength();
                if (v.isRemoval()) {
                    RemovalFrame.Decoded d = v.removal();
                    for (int i = 0; i < d.count(); i++) {
                        long g = d.firstGlobalSequence() + i;
                        String entity = d.names().get(d.entityOf()[i]);
                        long seq = sequenceOf(index, g);
                        row = addRemoved(run, out, locations, row, g, entity, seq, d.anchor(entity, seq), ordinal);
                    }
                } else if (plan.decisions[row] == REMOVE) {
                    byte[] hash = new byte[io.batpak.core.Hash.LENGTH];
                    v.eventHash(hash);
                    long km = v.idempotencyKeyMsb();
                    long kl = v.idempotencyKeyLsb();
                    if (km != 0 || kl != 0) {
                        if (keyCount * 3 + 3 > keys.length) {
                            keys = Arrays.copyOf(keys, Math.max(48, keys.length * 2));
                        }
                        keys[keyCount * 3] = km;
                        keys[keyCount * 3 + 1] = kl;
                        keys[keyCount * 3 + 2] = v.globalSequence();
                        keyCount++;
                    }
                    removed++;
                    row = addRemoved(run, out, locations, row, v.globalSequence(), v.entity(), v.entitySequence(),
                            hash, ordinal);
                } else {
                    flushRun(run, out, locations, row, ordinal);
                    locations[row] = EventIndex.location(ordinal, (int) out.position());
                    boolean erase = plan.decisions[row] == ERASE;
                    int keep = erase ? v.payloadOffset() : total;
                    ByteBuffer frame = ByteBuffer.allocate(keep).order(ByteOrder.LITTLE_ENDIAN);
                    frame.put(map.duplicate().position((int) pos).limit((int) pos + keep));
                    boolean touched = false;
                    if (erase) {
                        frame.putInt(LENGTH_OFFSET, keep - PREFIX_LENGTH);
                        frame.put(PAYLOAD_STATE_OFFSET, PAYLOAD_REDACTED);
                        erased++;
                        touched = true;
                    }
                    if (plan.partialGroup[row] && v.batchCount() > 1) {
                        frame.putInt(BATCH_COUNT_OFFSET, 1);
                        frame.putInt(BATCH_INDEX_OFFSET, 0);
                        touched = true;
                    }
                    if (touched) {
                        CRC32C crc = new CRC32C();
                        crc.update(frame.array(), PREFIX_LENGTH, keep - PREFIX_LENGTH);
                        frame.putInt(CRC_OFFSET, (int) crc.getValue());
                    }
                    out.put(frame.flip());
                    row++;
                }
                pos += total;
            }
            flushRun(run, out, locations, row, ordinal);
            out.flush();
            DurableFiles.force(ch, name, hook);
            long after = out.position();
            return new Result(tmp, ordinal, first, locations, size, after, removed, erased,
                    Arrays.copyOf(keys, keyCount * 3));
        } catch (IOException | RuntimeException e) {
            DurableFiles.discard(tmp, e);
            throw e;
        }
    }

    /** The entity sequence of the visible event {@code g} (its position in its entity's posting list). */
    private static long sequenceOf(EventIndex index, long g) {
        EntityState es = index.entityById(index.entityIdAt(g));
        return es.postings().positionOf(g);
    }

    private static int addRemoved(RemovalFrame.Builder run, Out out, long[] locations, int row, long g, String entity,
                                  long seq, byte[] hash, int ordinal) throws IOException {
        if (run.count() == MAX_RUN) {
            flushRun(run, out, locations, row, ordinal);
        }
        run.add(g, entity, seq, hash);
        return row + 1;
    }

    /** Writes the pending run (if any) as a removal frame and points its rows at it. */
    private static void flushRun(RemovalFrame.Builder run, Out out, long[] locations, int row, int ordinal)
            throws IOException {
        if (run.isEmpty()) {
            return;
        }
        long loc = EventIndex.location(ordinal, (int) out.position()) | EventIndex.REMOVED_BIT;
        Arrays.fill(locations, row - run.count(), row, loc);
        ByteBuffer frame = ByteBuffer.allocate(run.size()).order(ByteOrder.LITTLE_ENDIAN);
        run.encodeTo(frame);
        out.put(frame.flip());
    }

    /** Buffered sequential output to the rewrite file. */
    private static final class Out {
        private final FileChannel ch;
        private final String name;
        private final IoFaultHook hook;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(OUT_BUFFER);
        private long flushed;

        Out(FileChannel ch, String name, IoFaultHook hook) {
            this.ch = ch;
            this.name = name;
            this.hook = hook;
        }

        long position() {
            return flushed + buf.position();
        }

        void put(ByteBuffer src) throws IOException {
            while (src.hasRemaining()) {
                if (!buf.hasRemaining()) {
                    flush();
                }
                int n = Math.min(buf.remaining(), src.remaining());
                ByteBuffer part = src.duplicate();
                part.limit(part.position() + n);
                buf.put(part);
                src.position(src.position() + n);
            }
        }

        void flush() throws IOException {
            buf.flip();
            int n = buf.remaining();
            DurableFiles.writeFully(ch, name, buf, flushed, hook);
            flushed += n;
            buf.clear();
        }
    }
}
