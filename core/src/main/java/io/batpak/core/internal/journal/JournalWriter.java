package io.batpak.core.internal.journal;

import io.batpak.core.AppendCondition;
import io.batpak.core.EventId;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.SyncMode;
import io.batpak.core.error.AppendConditionFailedException;
import io.batpak.core.error.StoreFailedException;
import io.batpak.core.internal.MonotonicClock;
import io.batpak.core.internal.index.EventIndex;
import io.batpak.core.internal.index.IdempotencyIndex;
import io.batpak.core.internal.index.IndexCheckpoint;
import io.batpak.core.internal.index.RegionQuery;
import io.batpak.core.internal.segment.DurableEnd;
import io.batpak.core.internal.segment.FrameEncoder;
import io.batpak.core.internal.segment.SegmentAppender;
import io.batpak.core.internal.segment.SegmentFiles;
import io.batpak.core.internal.segment.SegmentHeader;
import io.batpak.core.internal.segment.SegmentSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sequencing and I/O of the journal, used by the single writer: stages atomic groups of encoded events
 * (assigning contiguous global sequences and filling in placement and checksums), then commits everything staged
 * with one write and, under {@link SyncMode#EVERY_COMMIT}, one force, and only then appends the events to the
 * index and publishes them. A failed write or force truncates the segment back to where the commit started, so no
 * unacknowledged frame survives; if even that fails the writer is failed for good.
 *
 * <p>Not thread-safe: one writer thread.
 */
public final class JournalWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JournalWriter.class);
    private static final int INITIAL_BUFFER = 1 << 20;

    private final StoreCore core;
    private final StoreConfig config;
    private final EventIndex index;
    private final IdempotencyIndex keys;
    private final SegmentSet segments;
    private final MonotonicClock clock;
    private SegmentAppender active;
    private ByteBuffer buffer = ByteBuffer.allocateDirect(INITIAL_BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    private final List<PendingEvent> staged = new ArrayList<>();
    private final CRC32C crc = new CRC32C();
    private long nextSequence;
    /** Global sequence after the last frame written to the active segment. */
    private long writtenSequence;
    private final DurableEnd durableEnd;
    private boolean durableEndFailed;
    /** A force moved the durable end past what {@code durable.end} says; see {@link #flushDurableEnd()}. */
    private boolean durableEndStale;
    private long lastForceNanos = System.nanoTime();
    /** End of the good data when a failed write could not be cut back, else -1. */
    private long unacknowledgedFrom = -1;

    private volatile long fsyncs;
    private volatile long groupCommits;
    private volatile long appends;
    private volatile long failedAppends;
    private volatile long checkpoints;
    private volatile long checkpointedEvents;

    public JournalWriter(StoreCore core) throws IOException {
        if (core.readOnly()) {
            throw new IllegalStateException("a store opened read-only cannot be written to");
        }
        this.core = core;
        this.config = core.config();
        this.index = core.index();
        this.keys = core.keys();
        this.segments = core.segments();
        this.clock = core.clock();
        this.nextSequence = index.size();
        this.writtenSequence = nextSequence;
        this.durableEnd = DurableEnd.open(config.dataDir(), config.ioFaultHook());
        try {
            List<Path> paths = core.recovered().segmentPaths();
            if (!paths.isEmpty() && core.recovered().activeSegmentLength() >= 0) {
                Path last = paths.get(paths.size() - 1);
                active = SegmentAppender.open(last, SegmentFiles.parse(last.getFileName().toString()),
                        segments.count() - 1, core.recovered().activeSegmentLength(), config.ioFaultHook());
                // What recovery kept may never have been forced (a crash under NONE): force it before marking it.
                active.force();
                recordDurableEnd();
            } else {
                newSegment();
            }
        } catch (IOException | RuntimeException e) {
            if (active != null) {
                active.close();
            }
            durableEnd.close();
            throw e;
        }
    }

    /** Creates the next segment at the next global sequence and makes it the active one. */
    private SegmentAppender newSegment() throws IOException {
        SegmentAppender s = SegmentAppender.create(config.dataDir(), nextSequence, MonotonicClock.wallMicros(),
                segments.count(), config.ioFaultHook());
        int ordinal = segments.add(s.path(), nextSequence);
        if (ordinal != s.ordinal()) {
            throw new IllegalStateException("segment ordinal " + ordinal + " != " + s.ordinal());
        }
        active = s;
        recordDurableEnd();
        return s;
    }

    /**
     * Rewrites the durable-end mark to what is forced now. A failure is logged once and otherwise ignored: the old
     * mark is lower than the truth, which only makes recovery more lenient about a damaged tail.
     */
    private void recordDurableEnd() {
        durableEndStale = false;
        try {
            durableEnd.record(active.firstGlobalSequence(), active.forcedSize(), writtenSequence);
            durableEndFailed = false;
        } catch (IOException | RuntimeException e) {
            if (!durableEndFailed) {
                durableEndFailed = true;
                LOG.warn("cannot update {} (recovery stays correct, a damaged tail may be taken for a torn one): {}",
                        DurableEnd.FILE_NAME, e.toString());
            }
        }
    }

    /** The global sequence the next staged event gets. */
    public long nextSequence() {
        return nextSequence;
    }

    /** Whether a group of {@code groupBytes} fits into the active segment after what is staged. */
    public boolean fits(long groupBytes) {
        boolean empty = active.size() == SegmentHeader.LENGTH && buffer.position() == 0;
        return empty || active.size() + buffer.position() + groupBytes <= config.segmentMaxBytes();
    }

    /** Whether the staged data reached the group-commit limits. */
    public boolean full() {
        return staged.size() >= config.groupCommitMaxEvents() || buffer.position() >= config.groupCommitMaxBytes();
    }

    public int stagedCount() {
        return staged.size();
    }

    /** Events staged since the last commit, in global-sequence order. */
    public List<PendingEvent> staged() {
        return staged;
    }

    /**
     * Checks the append conditions of a group about to be staged, as of now: against the committed events (from
     * the index's posting lists), the events staged for the next commit and the group's own earlier events. Call
     * right before {@link #stage}, on the writer's thread, so the check and the sequencing are one step.
     *
     * @return the failure of the first condition that does not hold, or null when all hold (or there are none)
     */
    public AppendConditionFailedException checkConditions(PendingEvent[] group) {
        for (int i = 0; i < group.length; i++) {
            AppendCondition c = group[i].condition;
            if (c == null) {
                continue;
            }
            long after = c.afterGlobalSequence();
            // Committed events come before staged ones, staged ones before the group's: the first found is the lowest.
            long first = Long.MAX_VALUE;
            Region firstRegion = null;
            for (Region r : c.regions()) {
                int[] committed = RegionQuery.select(index, r, after, 1);
                if (committed.length > 0 && committed[0] < first) {
                    first = committed[0];
                    firstRegion = r;
                }
            }
            if (firstRegion != null) {
                return new AppendConditionFailedException(c, firstRegion, first,
                        new EventId(index.idMsbAt(first), index.idLsbAt(first)));
            }
            for (int s = 0; s < staged.size(); s++) {
                PendingEvent e = staged.get(s);
                Region r = e.globalSequence > after ? e.firstMatch(c.regions()) : null;
                if (r != null) {
                    return new AppendConditionFailedException(c, r, e.globalSequence, e.eventId);
                }
            }
            for (int j = 0; j < i; j++) {
                long g = nextSequence + j;
                Region r = g > after ? group[j].firstMatch(c.regions()) : null;
                if (r != null) {
                    return new AppendConditionFailedException(c, r, g, group[j].eventId);
                }
            }
        }
        return null;
    }

    /**
     * Stages an atomic group: assigns contiguous global sequences and copies the placed frames into the write
     * buffer. The caller checked {@link #fits} (rotating first when needed).
     */
    public void stage(PendingEvent[] group) {
        int bytes = 0;
        for (PendingEvent e : group) {
            bytes += e.frame.length;
        }
        ensureCapacity(bytes);
        long segmentBase = active.size();
        for (int i = 0; i < group.length; i++) {
            PendingEvent e = group[i];
            int at = buffer.position();
            buffer.put(e.frame);
            e.globalSequence = nextSequence++;
            e.location = EventIndex.location(active.ordinal(), (int) (segmentBase + at));
            e.signer = core.signer();
            FrameEncoder.place(buffer, at, e.frame.length, e.globalSequence, group.length, i, crc);
            staged.add(e);
        }
    }

    private void ensureCapacity(int bytes) {
        if (buffer.remaining() >= bytes) {
            return;
        }
        int need = buffer.position() + bytes;
        int cap = buffer.capacity();
        while (cap < need) {
            cap *= 2;
        }
        ByteBuffer grown = ByteBuffer.allocateDirect(cap).order(ByteOrder.LITTLE_ENDIAN);
        buffer.flip();
        grown.put(buffer);
        buffer = grown;
    }

    /**
     * Writes (and, per sync mode, forces) everything staged, then indexes and publishes it. On return every staged
     * event is committed and visible; its idempotency key is committed (the key's claim object is in
     * {@link PendingEvent#claim()}).
     *
     * @throws IOException when the write or force failed; nothing staged is visible, the segment was truncated
     *     back and the staged events are dropped (the caller fails them)
     * @throws StoreFailedException when the failed write could not be undone; the writer must stop appending
     */
    public void commit() throws IOException {
        if (staged.isEmpty()) {
            return;
        }
        long before = active.size();
        buffer.flip();
        try {
            active.write(buffer);
            writtenSequence = nextSequence;
            if (config.syncMode().kind() == SyncMode.Kind.EVERY_COMMIT) {
                force();
            }
        } catch (IOException e) {
            rollback(before, e);
            throw e;
        } finally {
            buffer.clear();
        }
        int n = staged.size();
        for (int i = 0; i < n; i++) {
            PendingEvent e = staged.get(i);
            int[] tagIds = null;
            if (!e.tags.isEmpty()) {
                tagIds = new int[e.tags.size()];
                for (int t = 0; t < tagIds.length; t++) {
                    tagIds[t] = index.tag(e.tags.get(t));
                }
            }
            index.append(e.globalSequence, e.eventId.msb(), e.eventId.lsb(), e.location,
                    index.entity(e.coordinate.entity()), index.scope(e.coordinate.scope()), e.kind, e.entitySequence,
                    e.eventHash, tagIds);
        }
        index.publish(staged.get(n - 1).globalSequence);
        for (int i = 0; i < n; i++) {
            PendingEvent e = staged.get(i);
            if (e.idempotencyKey != null) {
                e.claim = keys.commit(e.idempotencyKey, e.globalSequence);
            }
        }
        // Unkeyed events move the window too: expire keys that fell out of it, as recovery does on open.
        keys.evict(staged.get(n - 1).globalSequence);
        groupCommits++;
        appends += n;
        staged.clear();
    }

    private void rollback(long before, IOException cause) {
        failedAppends += staged.size();
        nextSequence = staged.get(0).globalSequence;
        writtenSequence = nextSequence;
        staged.clear();
        try {
            active.truncate(before);
        } catch (IOException | RuntimeException t) {
            cause.addSuppressed(t);
            // Remember where the good data ends so close() tries the cut again instead of forcing the failed bytes.
            unacknowledgedFrom = before;
            throw new StoreFailedException("write to " + active.path() + " failed (" + cause.getMessage()
                    + ") and the partial write could not be truncated; the store stops accepting appends", cause);
        }
    }

    /** Drops staged events without writing them (their appends are failed by the caller). */
    public List<PendingEvent> discardStaged() {
        List<PendingEvent> out = new ArrayList<>(staged);
        if (!staged.isEmpty()) {
            nextSequence = staged.get(0).globalSequence;
        }
        staged.clear();
        buffer.clear();
        return out;
    }

    private void force() throws IOException {
        active.force();
        fsyncs++;
        lastForceNanos = System.nanoTime();
        durableEndStale = true;
    }

    /**
     * Brings {@code durable.end} up to what is forced. The writer calls it after handing out the replies of a
     * commit, so the mark's write is never on an append's path to its acknowledgement; until then the mark is at
     * most one group commit behind, which only makes recovery more lenient about that commit.
     */
    public void flushDurableEnd() {
        if (durableEndStale) {
            recordDurableEnd();
        }
    }

    /**
     * Forces the active segment if bytes are unforced and the sync interval has elapsed (or {@code always}).
     *
     * @throws StoreFailedException when the force fails: acknowledged events may not be on stable storage, so
     *     the writer must stop appending
     */
    public void forceIfDue(boolean always) {
        if (!active.hasUnforcedBytes()) {
            return;
        }
        long interval = config.syncMode().interval().toNanos();
        if (!always && System.nanoTime() - lastForceNanos < interval) {
            return;
        }
        try {
            force();
        } catch (IOException e) {
            throw new StoreFailedException("force of " + active.path() + " failed: acknowledged events may not be"
                    + " on stable storage; the store stops accepting appends", e);
        }
    }

    /** Seals the active segment (forcing it) and starts a new one at the next global sequence. */
    public void rotate() throws IOException {
        if (!staged.isEmpty()) {
            throw new IllegalStateException("rotate with staged events");
        }
        // Under INTERVAL and NONE the unforced bytes are acknowledged events: a failed force here fails the store.
        forceIfDue(true);
        SegmentAppender old = active;
        newSegment();
        old.close();
    }

    /**
     * Seals the active segment when it holds any event (forcing it) so that everything committed is in sealed
     * segments; returns how many segments are sealed (every one but the active).
     *
     * @throws StoreFailedException when the force fails (as {@link #forceIfDue})
     */
    public int sealActive() throws IOException {
        if (active.size() > io.batpak.core.internal.segment.SegmentHeader.LENGTH) {
            rotate();
        }
        return segments.count() - 1;
    }

    /**
     * What the next index checkpoint covers: everything committed, after forcing it, so a checkpoint never covers an
     * event that is not durable. Call on the writer's thread with nothing staged; the checkpoint itself is then
     * written by {@link #writeCheckpoint(IndexCheckpoint.Snapshot)} on any thread while appends continue.
     *
     * @throws StoreFailedException when the force fails (as {@link #forceIfDue})
     * @throws IOException when a sealed segment's length cannot be read
     */
    public IndexCheckpoint.Snapshot checkpointSnapshot() throws IOException {
        if (!staged.isEmpty()) {
            throw new IllegalStateException("checkpoint with staged events");
        }
        forceIfDue(true);
        flushDurableEnd();
        List<IndexCheckpoint.Covered> covered = new ArrayList<>();
        for (int i = 0; i < segments.count(); i++) {
            SegmentSet.Segment s = segments.segment(i);
            long len = i == active.ordinal() ? active.size() : Files.size(s.path());
            covered.add(new IndexCheckpoint.Covered(s.firstGlobalSequence(), len));
        }
        return IndexCheckpoint.snapshot(index, covered, clock.last());
    }

    /**
     * Writes the index checkpoint of {@code snapshot}. Thread-safe against the writer's appends; the caller runs at
     * most one checkpoint write at a time.
     */
    public void writeCheckpoint(IndexCheckpoint.Snapshot snapshot) throws IOException {
        IndexCheckpoint.write(config.dataDir(), index, keys, snapshot, config.ioFaultHook());
        checkpointedEvents = snapshot.rows();
        checkpoints++;
    }

    /**
     * Writes the segments and index checkpoint of {@code snapshot} into {@code partial} for a backup: on any thread,
     * while appends continue after the snapshot (see {@link StoreBackup}).
     */
    public StoreBackup.Result writeBackup(IndexCheckpoint.Snapshot snapshot, java.nio.file.Path partial,
                                          io.batpak.core.ProgressListener progress) throws IOException {
        return StoreBackup.writeSegmentsAndIndex(segments, index, keys, snapshot, partial, config.ioFaultHook(),
                progress);
    }

    /** Writes the index checkpoint covering everything committed, on the writer's thread. */
    public void writeCheckpoint() throws IOException {
        writeCheckpoint(checkpointSnapshot());
    }

    /** Index checkpoints written since open. */
    public long checkpoints() {
        return checkpoints;
    }

    /** Events covered by the last checkpoint written since open, 0 before the first. */
    public long checkpointedEvents() {
        return checkpointedEvents;
    }

    public long fsyncs() {
        return fsyncs;
    }

    public long groupCommits() {
        return groupCommits;
    }

    public long appends() {
        return appends;
    }

    public long failedAppends() {
        return failedAppends;
    }

    /** Records appends failed outside a commit (dropped before being written). */
    public void countFailed(int n) {
        failedAppends += n;
    }

    public StoreCore core() {
        return core;
    }

    /**
     * Forces unforced bytes and closes the active segment. If a failed write could not be cut back earlier, the cut
     * is tried once more instead, and the failed bytes are never forced.
     *
     * @throws IOException when the force fails, or the failed bytes still cannot be cut (they may then reappear on
     *     the next open as events whose appends were reported failed)
     */
    @Override
    public void close() throws IOException {
        try {
            if (unacknowledgedFrom >= 0) {
                active.truncate(unacknowledgedFrom);
                unacknowledgedFrom = -1;
            } else if (active.hasUnforcedBytes()) {
                force();
            }
            flushDurableEnd();
        } finally {
            try {
                active.close();
            } finally {
                durableEnd.close();
            }
        }
    }
}
