package io.batpak.core.internal.journal;

import static io.batpak.core.internal.segment.FrameLayout.MIN_FRAME_LENGTH;
import static io.batpak.core.internal.segment.FrameLayout.PREFIX_LENGTH;

import io.batpak.core.AppendReceipt;
import io.batpak.core.EventId;
import io.batpak.core.Hash;
import io.batpak.core.ProgressListener;
import io.batpak.core.IntegrityBreak.Reason;
import io.batpak.core.IntegrityBreak;
import io.batpak.core.ReceiptVerification.Outcome;
import io.batpak.core.ReceiptVerification;
import io.batpak.core.StoredEvent;
import io.batpak.core.VerifyReport;
import io.batpak.core.error.ChainBrokenException;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.InvalidQueryException;
import io.batpak.core.error.StoreException;
import io.batpak.core.internal.crypto.SealedPayloadException;
import io.batpak.core.internal.index.EntityState;
import io.batpak.core.internal.index.EventIndex;
import io.batpak.core.internal.segment.AtomicGroup;
import io.batpak.core.internal.segment.FrameView;
import io.batpak.core.internal.segment.RemovalFrame;
import io.batpak.core.internal.segment.SegmentHeader;
import io.batpak.core.internal.segment.SegmentSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * The integrity checks of a store, used by {@link StoreCore} (and so by the actor store and the read-only store
 * alike): whole-store and per-entity verification, the ancestor walk and receipt checks.
 *
 * <p>Every check reads the visible watermark first and looks at nothing after it; frames are read with positional
 * reads of the {@link SegmentSet} (no lock, no memory map), so verification of a live store never waits for the
 * writer and never blocks it. Each call uses its own buffers and digest; the class is thread-safe.
 *
 * <p>Per frame, checks run in this order and the first failure is reported: length, CRC32C, structure, global
 * sequence, atomic-group position, entity sequence, prevHash link, BLAKE3 eventHash recomputed over
 * {@code [56, end of frame)}, and agreement with the index. So a changed payload or kind with a recomputed
 * checksum is an {@link Reason#EVENT_HASH} break at that event; a changed prevHash is a {@link Reason#PREV_HASH}
 * break at that event; a changed and re-hashed event is a {@link Reason#PREV_HASH} break at the entity's next event;
 * frames swapped in a file are a {@link Reason#GLOBAL_SEQUENCE} break at the first of them.
 */
final class StoreVerifier {
    private static final String PROGRESS_PHASE = "verifying";
    private static final String PROGRESS_UNIT = "events";

    private static final int BLOCK = 1 << 20;

    private final StoreCore core;

    StoreVerifier(StoreCore core) {
        this.core = core;
    }

    // ------------------------------------------------------------------------------------------ whole store

    VerifyReport verifyStore(ProgressListener progress) {
        return underLayout(() -> verifyStoreLocked(progress));
    }

    /** Runs a walk that pairs index locations with files under the layout's read lock (no rewrite swaps meanwhile). */
    private <T> T underLayout(java.util.function.Supplier<T> walk) {
        java.util.concurrent.locks.StampedLock layout = core.segments().layout();
        long stamp = layout.readLock();
        try {
            return walk.get();
        } finally {
            layout.unlockRead(stamp);
        }
    }

    private VerifyReport verifyStoreLocked(ProgressListener progress) {
        EventIndex index = core.index();
        SegmentSet segments = core.segments();
        long watermark = index.visible();
        if (watermark < 0) {
            return new VerifyReport(null, -1, 0, 0, 0, 0, null);
        }
        // The last visible event may have been removed: its row then locates the removal frame recording it.
        long endLoc = index.location(watermark) & ~EventIndex.REMOVED_BIT;
        int endOrdinal = EventIndex.segmentOrdinal(endLoc);
        int lastLength = index.length(watermark);
        if (lastLength < 0) {
            try {
                lastLength = segments.frameLengthAt(endOrdinal, EventIndex.segmentOffset(endLoc));
            } catch (CorruptStoreException e) {
                return new VerifyReport(null, watermark, 0, 0, 0, 0, new IntegrityBreak(Reason.FRAME_LENGTH,
                        segments.segment(endOrdinal).path(), EventIndex.segmentOffset(endLoc),
                        new EventId(index.idMsbAt(watermark), index.idLsbAt(watermark)), watermark, null, -1,
                        e.reason()));
            }
        }
        long endOffset = EventIndex.segmentOffset(endLoc) + (long) lastLength;
        Walk w = new Walk(index, watermark);
        int segmentsRead = 0;
        progress.progressed(PROGRESS_PHASE, 0, watermark + 1, PROGRESS_UNIT);
        for (int ordinal = 0; ordinal <= endOrdinal; ordinal++) {
            segmentsRead++;
            IntegrityBreak b = w.segment(segments, ordinal, ordinal == endOrdinal ? endOffset : -1);
            if (b != null) {
                return new VerifyReport(null, watermark, w.events, w.entities, segmentsRead, w.bytes, b);
            }
            progress.progressed(PROGRESS_PHASE, w.expected, watermark + 1, PROGRESS_UNIT);
        }
        if (w.expected != watermark + 1) {
            SegmentSet.Segment last = segments.segment(endOrdinal);
            return new VerifyReport(null, watermark, w.events, w.entities, segmentsRead, w.bytes,
                    new IntegrityBreak(Reason.GLOBAL_SEQUENCE, last.path(), endOffset, null, w.expected, null, -1,
                            "the segments hold " + w.expected + " events up to the last visible one, the index "
                                    + (watermark + 1)));
        }
        return new VerifyReport(null, watermark, w.events, w.entities, segmentsRead, w.bytes, null);
    }

    /** State of a whole-store walk: the next expected global sequence and every entity's chain so far. */
    private final class Walk {
        final EventIndex index;
        final long watermark;
        final FrameView v = new FrameView();
        final Blake3Digest digest = new Blake3Digest(256);
        final byte[] hash = new byte[Hash.LENGTH];
        long[] counts = new long[64];
        byte[][] lastHashes = new byte[64][];
        long expected;
        long events;
        long entities;
        long bytes;
        ByteBuffer buf = ByteBuffer.allocate(BLOCK).order(ByteOrder.LITTLE_ENDIAN);
        long bufStart;
        int bufLen;
        int bufOrdinal = -1;

        Walk(EventIndex index, long watermark) {
            this.index = index;
            this.watermark = watermark;
        }

        /** Makes file bytes [pos, pos + len) of segment {@code ordinal} available; returns their offset in buf. */
        int ensure(SegmentSet segments, int ordinal, long pos, int len, long limit) {
            if (ordinal == bufOrdinal && pos >= bufStart && pos + len <= bufStart + bufLen) {
                return (int) (pos - bufStart);
            }
            int want = (int) Math.min(Math.max(len, BLOCK), Math.max(len, limit - pos));
            if (buf.capacity() < want) {
                buf = ByteBuffer.allocate(want).order(ByteOrder.LITTLE_ENDIAN);
            }
            buf.clear().limit(want);
            int n = segments.readRaw(ordinal, pos, buf);
            bufOrdinal = ordinal;
            bufStart = pos;
            bufLen = n;
            return n < len ? -1 : 0;
        }

        /**
         * Walks one segment's frames up to {@code endOffset} (-1: the end of the file).
         *
         * @return the first break, or null
         */
        IntegrityBreak segment(SegmentSet segments, int ordinal, long endOffset) {
            SegmentSet.Segment seg = segments.segment(ordinal);
            Path file = seg.path();
            long limit = endOffset >= 0 ? endOffset : segments.size(ordinal);
            if (seg.firstGlobalSequence() != expected) {
                return new IntegrityBreak(Reason.SEGMENT, file, 0, null, expected, null, -1, "segment starts at global"
                        + " sequence " + seg.firstGlobalSequence() + ", expected " + expected + " (missing or extra segment)");
            }
            int ho = ensure(segments, ordinal, 0, SegmentHeader.LENGTH, limit);
            if (ho < 0) {
                return new IntegrityBreak(Reason.SEGMENT, file, 0, null, expected, null, -1,
                        "segment is shorter than its " + SegmentHeader.LENGTH + "-byte header");
            }
            try {
                SegmentHeader h = SegmentHeader.decode(buf.duplicate().position(ho).limit(ho + SegmentHeader.LENGTH)
                        .slice(), file);
                if (h.firstGlobalSequence() != seg.firstGlobalSequence()) {
                    return new IntegrityBreak(Reason.SEGMENT, file, 0, null, expected, null, -1, "header says first"
                            + " global sequence " + h.firstGlobalSequence() + ", file name says " + seg.firstGlobalSequence());
                }
            } catch (StoreException e) {
                return new IntegrityBreak(Reason.SEGMENT, file, 0, null, expected, null, -1, e.getMessage());
            }
            long pos = SegmentHeader.LENGTH;
            AtomicGroup group = new AtomicGroup();
            while (pos < limit) {
                if (expected > watermark) {
                    return brk(Reason.GLOBAL_SEQUENCE, file, pos, null, "a frame follows the last visible event "
                            + watermark + " before the offset " + limit + " where the index says it ends");
                }
                if (limit - pos < PREFIX_LENGTH) {
                    return brk(Reason.FRAME_LENGTH, file, pos, null, "only " + (limit - pos)
                            + " bytes left before the end of the verified data");
                }
                int o = ensure(segments, ordinal, pos, PREFIX_LENGTH, limit);
                if (o < 0) {
                    return brk(Reason.FRAME_LENGTH, file, pos, null, "the file ends inside a frame prefix");
                }
                long frameLength = Integer.toUnsignedLong(buf.getInt(o));
                long total = frameLength + PREFIX_LENGTH;
                if (frameLength < MIN_FRAME_LENGTH || pos + total > limit) {
                    return brk(Reason.FRAME_LENGTH, file, pos, null, "frame length " + frameLength
                            + (frameLength < MIN_FRAME_LENGTH ? " is below the minimum " + MIN_FRAME_LENGTH
                            : " runs past the end of the verified data at offset " + limit));
                }
                o = ensure(segments, ordinal, pos, (int) total, limit);
                if (o < 0) {
                    return brk(Reason.FRAME_LENGTH, file, pos, null, "the file ends inside the frame");
                }
                v.wrap(buf, o);
                long here = EventIndex.location(ordinal, (int) pos);
                IntegrityBreak b = structure(v, file, pos, expected, g -> expectedId(g, here));
                if (b != null) {
                    return b;
                }
                if (v.isRemoval()) {
                    String misplacedRemoval = group.check(v.batchIndex(), v.batchCount());
                    b = misplacedRemoval != null ? new IntegrityBreak(Reason.ATOMIC_GROUP, file, pos, null, expected,
                            null, -1, misplacedRemoval) : removal(file, pos, here);
                    if (b != null) {
                        return b;
                    }
                    bytes += total;
                    pos += total;
                    continue;
                }
                String misplaced = group.check(v.batchIndex(), v.batchCount());
                if (misplaced != null) {
                    return brk(Reason.ATOMIC_GROUP, file, pos, v, misplaced);
                }
                EntityState es = index.findEntity(v.entity());
                if (es == null) {
                    return brk(Reason.INDEX_MISMATCH, file, pos, v, "the index has no entity \"" + v.entity() + "\"");
                }
                int id = es.id();
                grow(id);
                long seq = counts[id];
                byte[] prev = lastHashes[id] == null ? new byte[Hash.LENGTH] : lastHashes[id];
                b = chain(v, file, pos, seq, prev);
                if (b == null) {
                    b = eventHash(v, file, pos, digest, hash);
                }
                if (b == null) {
                    b = indexAgrees(v, file, pos, es, seq, ordinal);
                }
                if (b != null) {
                    return b;
                }
                if (seq == 0) {
                    entities++;
                }
                counts[id] = seq + 1;
                byte[] stored = new byte[Hash.LENGTH];
                v.eventHash(stored);
                lastHashes[id] = stored;
                group.accept(pos, v.batchIndex(), v.batchCount());
                expected++;
                events++;
                bytes += total;
                pos += total;
            }
            if (group.open()) {
                return new IntegrityBreak(Reason.ATOMIC_GROUP, file, group.start(), null, -1, null, -1,
                        group.unfinished() + " at offset " + limit);
            }
            return null;
        }

        /**
         * Checks a removal frame against the index (every event it records is a removed row of the entity it names,
         * at the entity's next sequence, located at this frame) and takes its anchors as the entities' last hashes.
         */
        private IntegrityBreak removal(Path file, long pos, long here) {
            RemovalFrame.Decoded d = v.removal();
            int names = d.names().size();
            EntityState[] es = new EntityState[names];
            for (int i = 0; i < names; i++) {
                es[i] = index.findEntity(d.names().get(i));
                if (es[i] == null) {
                    return new IntegrityBreak(Reason.INDEX_MISMATCH, file, pos, null, d.firstGlobalSequence(),
                            d.names().get(i), -1, "the removal frame names entity \"" + d.names().get(i)
                            + "\", which the index does not have");
                }
                grow(es[i].id());
            }
            for (int i = 0; i < d.count(); i++) {
                long g = d.firstGlobalSequence() + i;
                EntityState e = es[d.entityOf()[i]];
                long seq = counts[e.id()];
                if (g > watermark) {
                    return new IntegrityBreak(Reason.GLOBAL_SEQUENCE, file, pos, null, g, e.name(), seq,
                            "a removal frame records events after the last visible event " + watermark);
                }
                if (index.location(g) != (here | EventIndex.REMOVED_BIT)) {
                    return new IntegrityBreak(Reason.INDEX_MISMATCH, file, pos, null, g, e.name(), seq,
                            "the removal frame records event " + g + " as removed, the index does not place it here");
                }
                if (index.entityIdAt(g) != e.id() || e.count() <= seq || e.globalSequenceAt((int) seq) != g) {
                    return new IntegrityBreak(Reason.INDEX_MISMATCH, file, pos, null, g, e.name(), seq,
                            "the index does not list removed event " + g + " as event " + seq + " of entity \""
                                    + e.name() + "\"");
                }
                if (seq == 0) {
                    entities++;
                }
                counts[e.id()] = seq + 1;
                lastHashes[e.id()] = null;
                expected++;
            }
            for (int a = 0; a < d.anchorEntity().length; a++) {
                EntityState e = es[d.anchorEntity()[a]];
                if (d.anchorSequence()[a] != counts[e.id()] - 1 || lastHashes[e.id()] != null) {
                    return new IntegrityBreak(Reason.MALFORMED, file, pos, null, d.firstGlobalSequence(), e.name(),
                            d.anchorSequence()[a], "the removal frame's anchor of entity \"" + e.name()
                            + "\" is not at its last removed event " + (counts[e.id()] - 1));
                }
                lastHashes[e.id()] = d.anchorHash()[a].clone();
            }
            for (EntityState e : es) {
                if (lastHashes[e.id()] == null) {
                    return new IntegrityBreak(Reason.MALFORMED, file, pos, null, d.firstGlobalSequence(), e.name(),
                            counts[e.id()] - 1, "the removal frame leaves entity \"" + e.name() + "\" without an anchor");
                }
            }
            return null;
        }

        /** The id of the event the index expects at {@code g}, if the index places it at {@code location}. */
        private EventId expectedId(long g, long location) {
            return g <= index.visible() && index.location(g) == location
                    ? new EventId(index.idMsbAt(g), index.idLsbAt(g)) : null;
        }

        private void grow(int id) {
            if (id >= counts.length) {
                int n = Math.max(id + 1, counts.length * 2);
                counts = Arrays.copyOf(counts, n);
                lastHashes = Arrays.copyOf(lastHashes, n);
            }
        }

        private IntegrityBreak indexAgrees(FrameView v, Path file, long pos, EntityState es, long seq, int ordinal) {
            long g = v.globalSequence();
            String problem = null;
            if (index.location(g) != EventIndex.location(ordinal, (int) pos)) {
                long loc = index.location(g);
                problem = "the index places it in segment " + EventIndex.segmentOrdinal(loc) + " at offset "
                        + EventIndex.segmentOffset(loc);
            } else if (index.length(g) >= 0 && index.length(g) != v.totalLength()) {
                problem = "the index says " + index.length(g) + " bytes, the frame has " + v.totalLength();
            } else if (index.idMsbAt(g) != v.eventIdMsb() || index.idLsbAt(g) != v.eventIdLsb()) {
                problem = "the index has event " + new EventId(index.idMsbAt(g), index.idLsbAt(g)) + " here";
            } else if (index.entityIdAt(g) != es.id() || es.count() <= seq || es.globalSequenceAt((int) seq) != g) {
                problem = "the index does not list it as event " + seq + " of entity \"" + es.name() + "\"";
            } else if (index.kindAt(g) != v.kind()) {
                problem = "the index has kind " + index.kindAt(g) + ", the frame " + v.kind();
            } else if (!index.scopeName(index.scopeIdAt(g)).equals(v.scope())) {
                problem = "the index has scope \"" + index.scopeName(index.scopeIdAt(g)) + "\", the frame \""
                        + v.scope() + "\"";
            }
            return problem == null ? null : brk(Reason.INDEX_MISMATCH, file, pos, v, problem);
        }
    }

    // ------------------------------------------------------------------------------------------ one entity

    VerifyReport verifyEntity(String entity) {
        if (entity == null) {
            throw new InvalidQueryException("entity must not be null");
        }
        return underLayout(() -> verifyEntityLocked(entity));
    }

    private VerifyReport verifyEntityLocked(String entity) {
        EventIndex index = core.index();
        long watermark = index.visible();
        EntityState es = index.findEntity(entity);
        if (es == null) {
            return new VerifyReport(entity, watermark, 0, 0, 0, 0, null);
        }
        int n = index.visibleCount(es);
        Reader r = new Reader();
        byte[] prev = new byte[Hash.LENGTH];
        byte[] utf8 = entity.getBytes(StandardCharsets.UTF_8);
        long bytes = 0;
        boolean[] seen = new boolean[core.segments().count()];
        int segmentsRead = 0;
        long removed = 0;
        for (int s = 0; s < n; s++) {
            long g = es.globalSequenceAt(s);
            if (index.removed(g)) {
                // A removed event: the chain resumes from its anchor when it was the last of a removal run.
                removed++;
                byte[] anchor;
                try {
                    anchor = core.anchorAtLocked(g);
                } catch (CorruptStoreException e) {
                    return new VerifyReport(entity, watermark, s - removed + 1, 1, segmentsRead, bytes,
                            new IntegrityBreak(Reason.MALFORMED, e.file(), e.offset(), null, g, entity, s, e.reason()));
                }
                prev = anchor;
                continue;
            }
            if (prev == null) {
                long loc = index.location(es.globalSequenceAt(s - 1)) & ~EventIndex.REMOVED_BIT;
                return new VerifyReport(entity, watermark, s - removed, 1, segmentsRead, bytes,
                        new IntegrityBreak(Reason.MALFORMED, core.segments().segment(EventIndex.segmentOrdinal(loc))
                                .path(), EventIndex.segmentOffset(loc), null, g, entity, s - 1,
                                "removed event " + (s - 1) + " left no anchor for the entity's next event"));
            }
            IntegrityBreak b = r.read(g);
            int ordinal = EventIndex.segmentOrdinal(index.location(g));
            if (ordinal < seen.length && !seen[ordinal]) {
                seen[ordinal] = true;
                segmentsRead++;
            }
            if (b == null && !r.v.entityEquals(utf8)) {
                b = brk(Reason.INDEX_MISMATCH, r.file, r.offset, r.v, "the index lists it as event " + s + " of entity \""
                        + entity + "\"");
            }
            if (b == null) {
                b = chain(r.v, r.file, r.offset, s, prev);
            }
            if (b == null) {
                b = eventHash(r.v, r.file, r.offset, r.digest, r.hash);
            }
            if (b != null) {
                return new VerifyReport(entity, watermark, s - removed, s == 0 ? 0 : 1, segmentsRead, bytes, b);
            }
            prev = new byte[Hash.LENGTH];
            r.v.eventHash(prev);
            bytes += r.v.totalLength();
        }
        return new VerifyReport(entity, watermark, n - removed, n == 0 ? 0 : 1, segmentsRead, bytes, null);
    }

    // ------------------------------------------------------------------------------------------ ancestors

    List<StoredEvent> walkAncestors(EventId id, int limit) {
        if (id == null) {
            throw new InvalidQueryException("eventId must not be null");
        }
        if (limit < 0) {
            throw new InvalidQueryException("limit must be >= 0, was " + limit);
        }
        return underLayout(() -> walkAncestorsLocked(id, limit));
    }

    private List<StoredEvent> walkAncestorsLocked(EventId id, int limit) {
        EventIndex index = core.index();
        long g = index.find(id.msb(), id.lsb());
        if (g < 0 || limit == 0 || index.removed(g)) {
            return Collections.emptyList();
        }
        EntityState es = index.entityById(index.entityIdAt(g));
        int p = position(es, g);
        List<StoredEvent> out = new ArrayList<>(Math.min(limit, p + 1));
        Reader r = new Reader();
        // The newest event walked so far; its own hash check is reported only after its link (checked when its
        // predecessor is read), in the order verify() uses: link before hash.
        StoredEvent later = null;
        Path laterFile = null;
        long laterOffset = 0;
        IntegrityBreak laterHash = null;
        while (out.size() < limit && p >= 0) {
            long gg = es.globalSequenceAt(p);
            if (index.removed(gg)) {
                // The walk ends at the removal's anchor: the later event must link to it.
                byte[] anchor = core.anchorAtLocked(gg);
                if (later != null && (anchor == null || !later.prevHash().equals(Hash.of(anchor)))) {
                    throw new ChainBrokenException(new IntegrityBreak(Reason.PREV_HASH, laterFile, laterOffset,
                            later.eventId(), later.globalSequence(), later.coordinate().entity(),
                            later.entitySequence(), "prevHash " + later.prevHash() + " is not the anchor the removal"
                            + " of the entity's previous event left"), out.subList(0, out.size() - 1));
                }
                later = null;
                break;
            }
            IntegrityBreak b = r.read(gg);
            if (b != null) {
                throw laterHash != null ? new ChainBrokenException(laterHash, out.subList(0, out.size() - 1))
                        : new ChainBrokenException(b, out);
            }
            if (later != null) {
                byte[] stored = new byte[Hash.LENGTH];
                r.v.eventHash(stored);
                if (!later.prevHash().equals(Hash.of(stored))) {
                    throw new ChainBrokenException(new IntegrityBreak(Reason.PREV_HASH, laterFile, laterOffset,
                            later.eventId(), later.globalSequence(), later.coordinate().entity(), later.entitySequence(),
                            "prevHash " + later.prevHash() + " is not the eventHash " + Hash.of(stored)
                                    + " of the entity's previous event"), out.subList(0, out.size() - 1));
                }
                if (laterHash != null) {
                    throw new ChainBrokenException(laterHash, out.subList(0, out.size() - 1));
                }
            }
            b = chain(r.v, r.file, r.offset, p, p == 0 ? new byte[Hash.LENGTH] : null);
            if (b != null) {
                throw new ChainBrokenException(b, out);
            }
            laterHash = eventHash(r.v, r.file, r.offset, r.digest, r.hash);
            later = materialise(r);
            laterFile = r.file;
            laterOffset = r.offset;
            out.add(later);
            p--;
        }
        if (laterHash != null) {
            throw new ChainBrokenException(laterHash, out.subList(0, out.size() - 1));
        }
        return out;
    }

    private StoredEvent materialise(Reader r) {
        try {
            return r.v.toStoredEvent(core.codec(), core.subjectKeys());
        } catch (SealedPayloadException e) {
            throw new CorruptStoreException(r.file, r.offset, e.getMessage());
        }
    }

    /** Position of global sequence {@code g} in the entity's posting list (ascending global sequences). */
    private static int position(EntityState es, long g) {
        int lo = 0;
        int hi = es.count() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long at = es.globalSequenceAt(mid);
            if (at < g) {
                lo = mid + 1;
            } else if (at > g) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        throw new IllegalStateException("global sequence " + g + " is not in the postings of entity " + es.name());
    }

    // ------------------------------------------------------------------------------------------ receipts

    ReceiptVerification verifyReceipt(AppendReceipt receipt) {
        if (receipt == null) {
            throw new InvalidQueryException("receipt must not be null");
        }
        EventId id = receipt.eventId();
        return underLayout(() -> verifyReceiptLocked(receipt, id));
    }

    private ReceiptVerification verifyReceiptLocked(AppendReceipt receipt, EventId id) {
        EventIndex index = core.index();
        long g = id == null ? -1 : index.find(id.msb(), id.lsb());
        if (g < 0) {
            return new ReceiptVerification(Outcome.EVENT_NOT_FOUND, "no visible event " + id);
        }
        if (index.removed(g)) {
            return new ReceiptVerification(Outcome.EVENT_NOT_FOUND, "event " + id + " was removed by compaction");
        }
        Reader r = new Reader();
        IntegrityBreak b = r.read(g);
        if (b != null) {
            throw new CorruptStoreException(b.file(), b.offset(), b.detail());
        }
        StoredEvent e = materialise(r);
        if (!e.coordinate().equals(receipt.coordinate())) {
            return new ReceiptVerification(Outcome.COORDINATE_MISMATCH, "event " + id + " is stored at "
                    + e.coordinate() + ", the receipt says " + receipt.coordinate());
        }
        if (e.entitySequence() != receipt.entitySequence()) {
            return new ReceiptVerification(Outcome.ENTITY_SEQUENCE_MISMATCH, "event " + id + " has entity sequence "
                    + e.entitySequence() + ", the receipt says " + receipt.entitySequence());
        }
        if (e.globalSequence() != receipt.globalSequence()) {
            return new ReceiptVerification(Outcome.GLOBAL_SEQUENCE_MISMATCH, "event " + id + " has global sequence "
                    + e.globalSequence() + ", the receipt says " + receipt.globalSequence());
        }
        if (e.timestampMicros() != receipt.timestampMicros()) {
            return new ReceiptVerification(Outcome.TIMESTAMP_MISMATCH, "event " + id + " has timestamp "
                    + e.timestampMicros() + ", the receipt says " + receipt.timestampMicros());
        }
        if (!e.eventHash().equals(receipt.eventHash())) {
            return new ReceiptVerification(Outcome.EVENT_HASH_MISMATCH, "event " + id + " has eventHash "
                    + e.eventHash() + ", the receipt says " + receipt.eventHash());
        }
        r.v.computeEventHash(r.digest, r.hash);
        if (!receipt.eventHash().equals(Hash.of(r.hash))) {
            return new ReceiptVerification(Outcome.EVENT_HASH_MISMATCH, "the stored frame of event " + id
                    + " no longer hashes to its eventHash " + e.eventHash() + " (recomputed " + Hash.of(r.hash) + ")");
        }
        if (!r.v.payloadRedacted()) {
            r.v.computePayloadDigest(r.digest, r.hash);
            if (!r.v.payloadDigestEquals(r.hash)) {
                return new ReceiptVerification(Outcome.EVENT_HASH_MISMATCH, "the stored payload of event " + id
                        + " no longer matches the digest its eventHash covers");
            }
        }
        return core.signer().checkSignature(receipt);
    }

    // ------------------------------------------------------------------------------------------ shared checks

    /** Reads single frames at their index locations. */
    private final class Reader {
        final FrameView v = new FrameView();
        final Blake3Digest digest = new Blake3Digest(256);
        final byte[] hash = new byte[Hash.LENGTH];
        ByteBuffer buf = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        Path file;
        long offset;

        /** Reads the frame the index places at {@code g} and checks its length, checksum, structure and sequence. */
        IntegrityBreak read(long g) {
            EventIndex index = core.index();
            long loc = index.location(g);
            int ordinal = EventIndex.segmentOrdinal(loc);
            int length = index.length(g);
            file = core.segments().segment(ordinal).path();
            offset = EventIndex.segmentOffset(loc) & 0xFFFF_FFFFL;
            EventId expectedId = new EventId(index.idMsbAt(g), index.idLsbAt(g));
            if (length < 0) {
                try {
                    length = core.segments().frameLengthAt(ordinal, (int) offset);
                } catch (CorruptStoreException e) {
                    return new IntegrityBreak(Reason.FRAME_LENGTH, file, offset, expectedId, g, null, -1, e.reason());
                }
            }
            if (buf.capacity() < length) {
                buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            }
            buf.clear().limit(length);
            int n = core.segments().readRaw(ordinal, offset, buf);
            if (n < length) {
                return new IntegrityBreak(Reason.FRAME_LENGTH, file, offset, expectedId, g, null, -1,
                        "the file ends " + n + " bytes into the " + length + "-byte frame the index expects");
            }
            v.wrap(buf, 0);
            if (v.totalLength() != length) {
                return new IntegrityBreak(Reason.FRAME_LENGTH, file, offset, expectedId, g, null, -1,
                        "frame length " + v.totalLength() + " does not match the index length " + length);
            }
            IntegrityBreak b = structure(v, file, offset, g, x -> expectedId);
            if (b != null) {
                return b;
            }
            if (v.eventIdMsb() != expectedId.msb() || v.eventIdLsb() != expectedId.lsb()) {
                return brk(Reason.INDEX_MISMATCH, file, offset, v, "the index has event " + expectedId + " here");
            }
            return null;
        }
    }

    private interface IdLookup {
        EventId at(long globalSequence);
    }

    /** Checksum, structure and global sequence of a frame whose bytes are all in the view's buffer. */
    private static IntegrityBreak structure(FrameView v, Path file, long offset, long expectedGlobal, IdLookup ids) {
        if (v.computeCrc() != v.storedCrc()) {
            return new IntegrityBreak(Reason.CHECKSUM, file, offset, ids.at(expectedGlobal), expectedGlobal, null, -1,
                    "frame checksum mismatch");
        }
        String problem = v.validate();
        if (problem != null) {
            return brk(Reason.MALFORMED, file, offset, v, problem);
        }
        if (v.globalSequence() != expectedGlobal) {
            return brk(Reason.GLOBAL_SEQUENCE, file, offset, v, "frame holds global sequence " + v.globalSequence()
                    + ", expected " + expectedGlobal);
        }
        return null;
    }

    /**
     * Entity sequence and prevHash link of a frame.
     *
     * @param prev the eventHash of the entity's previous event (zeros for the first), or null to skip the link check
     */
    private static IntegrityBreak chain(FrameView v, Path file, long offset, long expectedSeq, byte[] prev) {
        if (v.entitySequence() != expectedSeq) {
            return brk(Reason.ENTITY_SEQUENCE, file, offset, v, "entity sequence " + v.entitySequence() + ", expected "
                    + expectedSeq);
        }
        if (prev != null && !v.prevHashEquals(prev)) {
            byte[] stored = new byte[Hash.LENGTH];
            v.prevHash(stored);
            return brk(Reason.PREV_HASH, file, offset, v, "prevHash " + Hash.of(stored) + " is not "
                    + (expectedSeq == 0 ? "zero for the entity's first event"
                    : "the eventHash " + Hash.of(prev) + " of the entity's previous event"));
        }
        return null;
    }

    /**
     * Recomputes the eventHash from the frame's canonical header, tags and stored payload digest and compares it with
     * the stored eventHash; then, where the payload is present (not redacted), checks it against its digest.
     */
    private static IntegrityBreak eventHash(FrameView v, Path file, long offset, Blake3Digest digest, byte[] out) {
        v.computeEventHash(digest, out);
        byte[] stored = new byte[Hash.LENGTH];
        v.eventHash(stored);
        if (!Arrays.equals(stored, out)) {
            return brk(Reason.EVENT_HASH, file, offset, v, "stored eventHash " + Hash.of(stored)
                    + " does not match the BLAKE3 of the frame's content " + Hash.of(out));
        }
        if (!v.payloadRedacted()) {
            v.computePayloadDigest(digest, out);
            if (!v.payloadDigestEquals(out)) {
                v.payloadDigest(stored);
                return brk(Reason.PAYLOAD_DIGEST, file, offset, v, "payload hashes to " + Hash.of(out)
                        + ", the frame's payload digest is " + Hash.of(stored));
            }
        }
        return null;
    }

    /**
     * A break at a checksum-valid frame: event id, global and entity sequence come from the frame, and its entity
     * when the frame is well-formed.
     */
    private static IntegrityBreak brk(Reason reason, Path file, long offset, FrameView v, String detail) {
        if (v == null) {
            return new IntegrityBreak(reason, file, offset, null, -1, null, -1, detail);
        }
        String entity = reason == Reason.MALFORMED ? null : v.entity();
        return new IntegrityBreak(reason, file, offset, new EventId(v.eventIdMsb(), v.eventIdLsb()), v.globalSequence(),
                entity, v.entitySequence(), detail);
    }
}
