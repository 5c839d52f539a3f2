package io.batpak.core.internal.recovery;

import io.batpak.core.IoFaultHook;
import io.batpak.core.StoreConfig;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.StoreException;
import io.batpak.core.internal.DurableFiles;
import io.batpak.core.internal.index.EntityState;
import io.batpak.core.internal.index.EventIndex;
import io.batpak.core.internal.index.IdempotencyIndex;
import io.batpak.core.internal.index.IndexCheckpoint;
import io.batpak.core.internal.segment.DurableEnd;
import io.batpak.core.internal.segment.FrameView;
import io.batpak.core.internal.segment.RemovalFrame;
import io.batpak.core.internal.segment.SegmentFiles;
import io.batpak.core.internal.segment.SegmentHeader;
import io.batpak.core.internal.segment.SegmentSet;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a store's state from its directory on open: loads the index checkpoint when it can be trusted, then
 * scans segment frames after it (or all of them), checking checksums, global sequences, atomic groups, entity
 * sequences and hash links. A torn tail in the newest segment is cut back to the last complete atomic group;
 * damage anywhere else is {@link CorruptStoreException}, or with {@code repair} the data from the first bad frame
 * on is truncated and later segments are moved to {@code quarantine/}.
 *
 * <p><b>Read-only recovery</b> ({@link #recover(StoreConfig, boolean)} with {@code readOnly}) changes no file: a torn
 * tail is not cut but ignored (reads and verification stop at the end of the last complete atomic group and
 * {@link Report#truncatedTailBytes()} counts the ignored bytes), a segment whose header was never completely
 * written is ignored instead of deleted, an untrusted checkpoint is ignored instead of deleted, the segments
 * directory is not created and repair is refused. It also does not refuse a checksum-valid frame in the right
 * global order whose entity sequence or prevHash contradicts its entity's chain: the frame is indexed as stored and
 * a warning is logged, so the store can still be read and {@code verify} reports the break with file, offset and
 * event. Damage that leaves no consistent global order (bad checksum or length before the tail, a global sequence
 * gap, a broken atomic group) fails a read-only open like a normal one.
 */
public final class StoreRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(StoreRecovery.class);
    public static final String QUARANTINE = "quarantine";

    /**
     * What recovery did.
     *
     * @param truncatedTailBytes bytes of a torn tail (never acknowledged as durable) that were cut (or, read-only,
     *     ignored)
     * @param repairDroppedBytes bytes that a repair dropped or quarantined
     * @param repairs one line per repair: what was damaged and what was dropped (empty when nothing was)
     */
    public record Report(boolean fromCheckpoint, String checkpointSkippedReason, long truncatedTailBytes,
                         long repairDroppedBytes, long scannedFrames, long millis, List<String> repairs) {
    }

    /** The recovered state, ready to serve reads and to continue appending. */
    public record Recovered(EventIndex index, IdempotencyIndex keys, SegmentSet segments, List<Path> segmentPaths,
                            long activeSegmentLength, long lastTimestampMicros, Report report) {
        /** The next global sequence to assign. */
        public long nextGlobalSequence() {
            return index.size();
        }
    }

    private static final class RepairNeeded extends Exception {
        private static final long serialVersionUID = 1L;
        final int segment;
        final long validEnd;
        final CorruptStoreException cause;

        RepairNeeded(int segment, long validEnd, CorruptStoreException cause) {
            super(cause.getMessage(), cause, false, false);
            this.segment = segment;
            this.validEnd = validEnd;
            this.cause = cause;
        }
    }

    private final StoreConfig config;
    private final Path dir;
    private final boolean readOnly;
    private final IoFaultHook hook;
    /** Whether the durable-end mark is still believed (a repair that dropped data stops believing it). */
    private boolean useMark = true;
    private DurableEnd.Mark mark;
    private final List<String> repairReports = new ArrayList<>();
    private long toleratedBreaks;
    private long truncatedTail;
    private long repairDropped;
    private long scannedFrames;

    private StoreRecovery(StoreConfig config, boolean readOnly) {
        this.config = config;
        this.dir = config.dataDir();
        this.readOnly = readOnly;
        this.hook = config.ioFaultHook();
    }

    /** Recovers the store in {@code config.dataDir()}; the caller holds the directory lock. */
    public static Recovered recover(StoreConfig config) {
        return recover(config, false);
    }

    /**
     * Recovers the store in {@code config.dataDir()}; the caller holds the directory lock. With {@code readOnly}
     * no file or directory is created, changed or removed (see the class comment).
     *
     * @throws io.batpak.core.error.InvalidConfigException when {@code readOnly} and {@code config.repair()} are both set
     */
    public static Recovered recover(StoreConfig config, boolean readOnly) {
        if (readOnly && config.repair()) {
            throw new io.batpak.core.error.InvalidConfigException("batpak.repair", "a read-only open never repairs; turn repair off");
        }
        return new StoreRecovery(config, readOnly).run();
    }

    /** A change to the directory that recovery decided on; applied only once the whole store checked out. */
    @FunctionalInterface
    private interface Change {
        void apply() throws IOException;
    }

    private Recovered run() {
        long t0 = System.nanoTime();
        try {
            while (true) {
                List<Change> changes = new ArrayList<>();
                Recovered recovered;
                try {
                    recovered = attempt(t0, changes);
                } catch (RepairNeeded r) {
                    repair(r);
                    continue;
                }
                // A refused open must leave the directory as it was: nothing is changed before this point.
                for (Change c : changes) {
                    c.apply();
                }
                return recovered;
            }
        } catch (IOException e) {
            throw new StoreException("cannot recover store in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether the durable-end mark says the segment starting at {@code first} was started completely (its header
     * forced): then a short or damaged header is damage, not a segment a crash caught being created.
     */
    private boolean markCovers(long first) {
        return mark != null && mark.segment() == first;
    }

    /** The offset of the newest segment below which damage is corruption, never a torn tail. */
    private long tornFloor(Path newest, long first, long size) {
        if (mark == null || mark.segment() < first) {
            // No mark, or one written before this segment was started: nothing in the segment is known durable.
            return SegmentHeader.LENGTH;
        }
        if (mark.segment() > first) {
            return markContradicted(new CorruptStoreException(dir.resolve(DurableEnd.FILE_NAME), 8,
                    "the durable-end mark names segment " + SegmentFiles.fileName(mark.segment())
                            + ", but the newest segment is " + newest.getFileName() + " (a segment is missing)"));
        }
        if (size < mark.durableLength()) {
            return markContradicted(new CorruptStoreException(newest, size, "segment is " + size
                    + " bytes, but its first " + mark.durableLength() + " bytes were recorded as durable"
                    + " (acknowledged data is missing)"));
        }
        return mark.durableLength();
    }

    /**
     * The segments hold less than the durable-end mark says was durable: acknowledged data is gone. Refused, or with
     * repair reported and recovered without the mark.
     */
    private long markContradicted(CorruptStoreException e) {
        if (readOnly || !config.repair()) {
            throw e;
        }
        LOG.error("repair: {}; recovering what the segments hold", e.getMessage());
        repairReports.add(e.getMessage());
        mark = null;
        useMark = false;
        return SegmentHeader.LENGTH;
    }

    private Recovered attempt(long t0, List<Change> changes) throws IOException, RepairNeeded {
        // The mark before the listing: a shared open reads a store its owner writes, and a mark read after a
        // rotation the listing missed would name a segment the listing lacks.
        mark = null;
        if (useMark) {
            try {
                mark = DurableEnd.read(dir);
            } catch (DurableEnd.Unreadable u) {
                LOG.warn("durable-end mark of {} not used: {}", dir, u.getMessage());
            }
        }
        List<Path> paths = SegmentFiles.list(dir);
        for (Path leftover : SegmentFiles.leftoverRewrites(dir)) {
            // A compaction stopped before renaming its rewrite over the segment: the segment is whole, the rewrite
            // is not used.
            if (readOnly) {
                LOG.warn("ignoring unfinished segment rewrite {} (read-only)", leftover);
            } else {
                LOG.warn("removing unfinished segment rewrite {}", leftover);
                changes.add(() -> deleteSegment(leftover));
            }
        }
        EventIndex index = new EventIndex();
        IdempotencyIndex keys = new IdempotencyIndex(config.idempotencyWindow());
        int startOrdinal = 0;
        long startOffset = -1;
        boolean fromCheckpoint = false;
        String skipped = null;
        long lastTs = 0;
        scannedFrames = 0;
        toleratedBreaks = 0;
        if (!paths.isEmpty()) {
            try {
                IndexCheckpoint.Loaded loaded = IndexCheckpoint.load(dir, paths, index, keys);
                startOrdinal = loaded.segments().size() - 1;
                startOffset = loaded.segments().get(startOrdinal).coveredLength();
                lastTs = loaded.lastTimestampMicros();
                fromCheckpoint = true;
            } catch (IndexCheckpoint.Unusable u) {
                skipped = u.getMessage();
                if (readOnly && Files.exists(dir.resolve(IndexCheckpoint.FILE_NAME))) {
                    LOG.warn("index checkpoint in {} not used, scanning all segments (read-only: left in place): {}",
                            dir, skipped);
                } else if (Files.exists(dir.resolve(IndexCheckpoint.FILE_NAME))) {
                    LOG.warn("index checkpoint in {} not used, scanning all segments: {}", dir, skipped);
                    // An untrusted checkpoint describes other data; once later appends make the segments fit it
                    // again it would pass the checks and be loaded. Remove it so it is never used.
                    changes.add(this::deleteCheckpoint);
                } else {
                    LOG.info("no index checkpoint in {}, scanning all segments", dir);
                }
                index = new EventIndex();
                keys = new IdempotencyIndex(config.idempotencyWindow());
            }
        } else if (readOnly && Files.exists(dir.resolve(IndexCheckpoint.FILE_NAME))) {
            LOG.warn("ignoring index checkpoint in {}: there is no segment it could describe", dir);
        } else if (Files.exists(dir.resolve(IndexCheckpoint.FILE_NAME))) {
            LOG.warn("removing index checkpoint in {}: there is no segment it could describe", dir);
            changes.add(this::deleteCheckpoint);
        }
        if (paths.isEmpty() && mark != null) {
            markContradicted(new CorruptStoreException(dir.resolve(DurableEnd.FILE_NAME), 8,
                    "the durable-end mark records " + mark.durableEvents() + " durable events in segment "
                            + SegmentFiles.fileName(mark.segment()) + ", but there is no segment file"));
        }
        SegmentSet segments = new SegmentSet();
        long activeLength = -1;
        FrameView v = new FrameView();
        FrameNames<EntityState> entityNames = FrameNames.entities();
        FrameNames<Integer> scopeNames = FrameNames.scopes();
        for (int i = 0; i < paths.size(); i++) {
            Path path = paths.get(i);
            long first = SegmentFiles.parse(path.getFileName().toString());
            boolean newest = i == paths.size() - 1;
            if (i < startOrdinal) {
                segments.add(path, first);
                continue;
            }
            long size = Files.size(path);
            long start;
            if (i == startOrdinal && fromCheckpoint) {
                start = startOffset;
            } else {
                if (first != index.size()) {
                    throw needRepair(i, 0, new CorruptStoreException(path, 0, "segment starts at global sequence "
                            + first + ", expected " + index.size() + " (missing or extra segment)"));
                }
                if (size < SegmentHeader.LENGTH && newest && !markCovers(first)) {
                    // A crash while the segment was being created: it holds no frame.
                    truncatedTail += size;
                    if (readOnly) {
                        LOG.warn("ignoring incomplete new segment {} ({} bytes, read-only)", path, size);
                    } else {
                        LOG.warn("removing incomplete new segment {} ({} bytes)", path, size);
                        changes.add(() -> deleteSegment(path));
                    }
                    paths = paths.subList(0, i);
                    break;
                }
                if (size < SegmentHeader.LENGTH) {
                    throw needRepair(i, 0, new CorruptStoreException(path, size, "segment is " + size
                            + " bytes, shorter than its header"
                            + (newest ? ", which was recorded as durable" : "")));
                }
                start = SegmentHeader.LENGTH;
            }
            boolean incomplete = false;
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
                map.order(ByteOrder.LITTLE_ENDIAN);
                if (!(i == startOrdinal && fromCheckpoint)) {
                    SegmentHeader header;
                    try {
                        header = SegmentHeader.decode(map.slice(0, SegmentHeader.LENGTH), path);
                    } catch (CorruptStoreException e) {
                        if (newest && !markCovers(first)
                                && !SegmentScan.validFrameFollows(map, SegmentHeader.LENGTH, index.size())) {
                            incomplete = true;
                        } else {
                            throw needRepair(i, 0, e);
                        }
                        header = null;
                    }
                    if (header != null && header.firstGlobalSequence() != first) {
                        throw needRepair(i, 0, new CorruptStoreException(path, 0, "header says first global sequence "
                                + header.firstGlobalSequence() + ", file name says " + first));
                    }
                }
                if (incomplete) {
                    map = null;
                }
                long floor = newest ? tornFloor(path, first, size) : Long.MAX_VALUE;
                SegmentScan.Result scan = incomplete ? null : SegmentScan.scan(map, start, index.size(), floor);
                int ordinal = segments.count();
                long pos = start;
                while (scan != null && pos < scan.validEnd()) {
                    v.wrap(map, (int) pos);
                    String problem = apply(v, index, keys, ordinal, (int) pos, path, entityNames, scopeNames);
                    if (problem != null) {
                        throw needRepair(i, groupStart(map, start, pos),
                                new CorruptStoreException(path, pos, problem));
                    }
                    lastTs = Math.max(lastTs, v.timestampMicros());
                    pos += v.totalLength();
                    scannedFrames++;
                }
                SegmentScan.Problem problem = scan == null ? null : scan.problem();
                if (problem != null) {
                    if (problem.torn()) {
                        long cut = size - scan.validEnd();
                        if (readOnly) {
                            LOG.warn("torn tail in newest segment {}: {} at offset {}; ignoring {} bytes after offset {}"
                                    + " (read-only: not truncated)", path, problem.reason(), problem.offset(), cut,
                                    scan.validEnd());
                        } else {
                            LOG.warn("torn tail in newest segment {}: {} at offset {}; truncating {} bytes back to offset {}",
                                    path, problem.reason(), problem.offset(), cut, scan.validEnd());
                            long end = scan.validEnd();
                            changes.add(() -> truncate(path, end));
                        }
                        truncatedTail += cut;
                        size = scan.validEnd();
                    } else {
                        throw needRepair(i, scan.validEnd(), new CorruptStoreException(path, problem.offset(), problem.reason()));
                    }
                }
            }
            if (incomplete) {
                truncatedTail += size;
                if (readOnly) {
                    LOG.warn("ignoring new segment {} whose header was not completely written ({} bytes, no frame,"
                            + " read-only)", path, size);
                } else {
                    LOG.warn("removing new segment {} whose header was not completely written ({} bytes, no frame)",
                            path, size);
                    changes.add(() -> deleteSegment(path));
                }
                paths = paths.subList(0, i);
                break;
            }
            segments.add(path, first);
            if (newest) {
                activeLength = size;
            }
        }
        if (index.size() > 0) {
            index.publish(index.size() - 1);
            keys.evict(index.size() - 1);
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        Report report = new Report(fromCheckpoint, skipped, truncatedTail, repairDropped, scannedFrames, millis,
                List.copyOf(repairReports));
        LOG.info("opened {}{}: {} events in {} segments in {} ms ({}, {} frames scanned{})", dir,
                readOnly ? " read-only" : "", index.size(), segments.count(), millis,
                fromCheckpoint ? "from checkpoint" : "full scan", scannedFrames,
                toleratedBreaks == 0 ? "" : ", " + toleratedBreaks + " chain breaks left for verify()");
        return new Recovered(index, keys, segments, List.copyOf(paths), activeLength, lastTs, report);
    }

    /**
     * Applies one checksum-valid frame to the index; returns a problem description when it breaks a chain. A
     * read-only recovery applies a frame with an entity-sequence or prevHash break anyway (logged, counted) and
     * returns null.
     */
    private String apply(FrameView v, EventIndex index, IdempotencyIndex keys, int ordinal, int offset, Path path,
                         FrameNames<EntityState> entityNames, FrameNames<Integer> scopeNames) {
        if (v.isRemoval()) {
            return applyRemoval(v, index, ordinal, offset);
        }
        boolean tolerate = readOnly;
        // Names met before in this scan are found by their bytes; only a first sighting decodes them.
        EntityState entity = entityNames.get(v);
        Integer knownScope = scopeNames.get(v);
        String name = entity != null ? entity.name() : v.entity();
        String scope = knownScope != null ? null : v.scope();
        boolean entityMet = entity != null;
        if (!entityMet) {
            entity = index.findEntity(name);
        }
        int scopeId = knownScope != null ? knownScope : index.findScope(scope);
        if (entity == null || scopeId < 0) {
            // Strict names are checked once per entity and scope, when first seen: later frames naming them decode
            // to a name already checked. This check covers the frame's tags too.
            String names = v.namesProblem();
            if (names != null) {
                return names;
            }
        } else if (v.tagCount() > 0) {
            // Tags are checked on every tagged frame: they are not cached by their bytes.
            String tagProblem = v.tagsProblem();
            if (tagProblem != null) {
                return tagProblem;
            }
        }
        long expectedSeq = entity == null ? 0 : entity.count();
        String broken = null;
        if (v.entitySequence() != expectedSeq) {
            broken = "entity \"" + name + "\" event has entity sequence " + v.entitySequence() + ", expected " + expectedSeq;
            if (!tolerate) {
                return broken;
            }
        }
        if (entity == null) {
            entity = index.entity(name);
        }
        if (broken == null && !v.prevHashEquals(entity.lastHashRef())) {
            broken = "entity \"" + name + "\" event at sequence " + expectedSeq + " does not link to the previous event's hash";
            if (!tolerate) {
                return broken;
            }
        }
        if (!entityMet) {
            entityNames.add(v, entity);
        }
        if (knownScope == null) {
            if (scopeId < 0) {
                scopeId = index.scope(scope);
            }
            scopeNames.add(v, scopeId);
        }
        int[] tagIds = null;
        if (v.tagCount() > 0) {
            List<String> tags = v.tags();
            tagIds = new int[tags.size()];
            for (int t = 0; t < tagIds.length; t++) {
                tagIds[t] = index.tag(tags.get(t));
            }
        }
        byte[] hash = new byte[32];
        v.eventHash(hash);
        index.append(v.globalSequence(), v.eventIdMsb(), v.eventIdLsb(), EventIndex.location(ordinal, offset), entity,
                scopeId, v.kind(), v.entitySequence(), hash, tagIds);
        long km = v.idempotencyKeyMsb();
        long kl = v.idempotencyKeyLsb();
        if (km != 0 || kl != 0) {
            keys.restore(km, kl, v.globalSequence());
        }
        if (broken != null) {
            LOG.warn("read-only open of {}: frame at offset {} of {} breaks its entity's chain ({}); indexed as stored,"
                    + " verify() reports it", dir, offset, path, broken);
            toleratedBreaks++;
        }
        return null;
    }

    /**
     * Applies a removal frame: one index row per removed event, in its entity's posting list at the entity sequence
     * it had, and each entity's anchor as its last hash. Returns a problem when the frame contradicts the index.
     */
    private static String applyRemoval(FrameView v, EventIndex index, int ordinal, int offset) {
        RemovalFrame.Decoded d = v.removal();
        int names = d.names().size();
        long[] anchorSeq = new long[names];
        byte[][] anchorHash = new byte[names][];
        java.util.Arrays.fill(anchorSeq, -1);
        for (int a = 0; a < d.anchorEntity().length; a++) {
            int e = d.anchorEntity()[a];
            if (anchorHash[e] != null) {
                return "removal frame has two anchors for entity \"" + d.names().get(e) + "\"";
            }
            anchorSeq[e] = d.anchorSequence()[a];
            anchorHash[e] = d.anchorHash()[a];
        }
        EntityState[] entities = new EntityState[names];
        for (int i = 0; i < names; i++) {
            try {
                io.batpak.core.Coordinate.validate("entity", d.names().get(i));
            } catch (io.batpak.core.error.InvalidCoordinateException e) {
                return "removal frame names an invalid " + e.getMessage();
            }
            entities[i] = index.entity(d.names().get(i));
        }
        long[] lastSeq = new long[names];
        long location = EventIndex.location(ordinal, offset);
        for (int i = 0; i < d.count(); i++) {
            int e = d.entityOf()[i];
            long seq = entities[e].count();
            lastSeq[e] = seq;
            index.appendRemoved(d.firstGlobalSequence() + i, entities[e], location,
                    anchorSeq[e] == seq ? anchorHash[e] : null);
        }
        for (int e = 0; e < names; e++) {
            if (anchorSeq[e] != lastSeq[e]) {
                return "removal frame anchor of entity \"" + d.names().get(e) + "\" at sequence " + anchorSeq[e]
                        + " is not the entity's last removed event " + lastSeq[e];
            }
        }
        return null;
    }

    /** Start of the atomic group containing the frame at {@code pos} (frames from {@code start} are valid). */
    private static long groupStart(MappedByteBuffer map, long start, long pos) {
        FrameView v = new FrameView();
        long groupStart = start;
        long p = start;
        while (p < pos) {
            v.wrap(map, (int) p);
            if (v.batchIndex() == 0) {
                groupStart = p;
            }
            p += v.totalLength();
        }
        v.wrap(map, (int) pos);
        return v.batchIndex() == 0 ? pos : groupStart;
    }

    private void deleteCheckpoint() throws IOException {
        Files.deleteIfExists(dir.resolve(IndexCheckpoint.FILE_NAME));
        DurableFiles.fsyncDirectory(dir, hook);
    }

    private void deleteSegment(Path path) throws IOException {
        Files.delete(path);
        DurableFiles.fsyncDirectory(SegmentFiles.directory(dir), hook);
    }

    private void truncate(Path path, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            hook.beforeTruncate(path.getFileName().toString(), length);
            ch.truncate(length);
            DurableFiles.force(ch, path.getFileName().toString(), hook);
        }
    }

    private RepairNeeded needRepair(int segment, long validEnd, CorruptStoreException e) {
        if (readOnly || !config.repair()) {
            throw e;
        }
        return new RepairNeeded(segment, validEnd, e);
    }

    private void repair(RepairNeeded r) throws IOException {
        List<Path> paths = SegmentFiles.list(dir);
        Path bad = paths.get(r.segment);
        long dropped = 0;
        Path quarantine = dir.resolve(QUARANTINE);
        long size = Files.size(bad);
        if (r.validEnd <= SegmentHeader.LENGTH) {
            Files.createDirectories(quarantine);
            Files.move(bad, quarantine.resolve(bad.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            dropped += size;
        } else {
            try (FileChannel ch = FileChannel.open(bad, StandardOpenOption.WRITE)) {
                ch.truncate(r.validEnd);
                ch.force(true);
            }
            dropped += size - r.validEnd;
        }
        for (int i = r.segment + 1; i < paths.size(); i++) {
            Files.createDirectories(quarantine);
            Path p = paths.get(i);
            dropped += Files.size(p);
            Files.move(p, quarantine.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.deleteIfExists(dir.resolve(IndexCheckpoint.FILE_NAME));
        DurableFiles.fsyncDirectory(SegmentFiles.directory(dir), hook);
        DurableFiles.fsyncDirectory(dir, hook);
        repairDropped += dropped;
        // The dropped data may lie below the durable-end mark; the loss is reported here, the mark is not used again.
        useMark = false;
        String report = r.cause.getMessage() + "; dropped " + dropped + " bytes from offset " + r.validEnd + " of "
                + bad.getFileName() + " on (later segments moved to " + quarantine + ")";
        repairReports.add(report);
        LOG.error("repair: {}", report);
    }
}
