package io.batpak.core.internal.journal;

import io.batpak.core.ProgressListener;
import io.batpak.core.CompactionPlan;
import io.batpak.core.CompactionReport;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.CompactionFailedException;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.StoreClosedException;
import io.batpak.core.error.StoreException;
import io.batpak.core.internal.DurableFiles;
import io.batpak.core.internal.MonotonicClock;
import io.batpak.core.internal.crypto.SealedPayloadException;
import io.batpak.core.internal.index.EntityState;
import io.batpak.core.internal.index.EventIndex;
import io.batpak.core.internal.index.IndexCheckpoint;
import io.batpak.core.internal.segment.FrameView;
import io.batpak.core.internal.segment.SegmentSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.locks.StampedLock;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Runs a {@link CompactionPlan} over the sealed segments of an open store, one segment at a time, while appends,
 * reads and streams go on. Per segment: the rewrite is written beside it and forced ({@link SegmentRewrite}); the
 * index checkpoint is removed (once, before the first swap: it describes the old files); the rewrite is renamed over
 * the segment and the directory forced; then, under the write lock of the segment layout, the segment is replaced and
 * the index rows relocated, so readers move from the old file to the new one at once; finally the idempotency keys
 * of removed events are forgotten.
 *
 * <p>Crash safety: until the rename the old segment is untouched and the rewrite is a leftover removed at the next
 * open; after it the new file is complete (forced before the rename). Either way the store opens, verifies and holds
 * every event the plan keeps. Run at most one compaction (or other lifecycle operation) at a time: the caller holds
 * {@link StoreCore#lifecycle()}.
 */
public final class Compactor {
    private static final String PROGRESS_PHASE = "compacting";
    private static final String PROGRESS_UNIT = "segments";

    private final StoreCore core;
    private final CompactionPlan plan;
    private final BooleanSupplier stopping;
    private final ProgressListener progress;

    public Compactor(StoreCore core, CompactionPlan plan, BooleanSupplier stopping, ProgressListener progress) {
        this.core = core;
        this.plan = plan;
        this.stopping = stopping;
        this.progress = progress;
    }

    /**
     * Compacts segments {@code [0, sealedSegments)}.
     *
     * @throws CompactionFailedException when a rewrite cannot be written or swapped in (the store is unchanged from
     *     the segment that failed on)
     * @throws CorruptStoreException when a sealed segment fails its checks (it is left as it is)
     * @throws StoreClosedException when the store began closing (segments done so far stay compacted)
     */
    public CompactionReport run(int sealedSegments) {
        long t0 = System.nanoTime();
        long nowMicros = MonotonicClock.wallMicros();
        long cutMicros = plan.maxAge().map(a -> nowMicros - a.toNanos() / 1000).orElse(Long.MIN_VALUE);
        int maxPerEntity = plan.maxEventsPerEntity().orElse(-1);
        EventIndex index = core.index();
        SegmentRewrite.Decider decider = v -> decide(v, index, cutMicros, maxPerEntity);
        int rewritten = 0;
        long before = 0;
        long after = 0;
        long removed = 0;
        long erased = 0;
        boolean checkpointRemoved = false;
        progress.progressed(PROGRESS_PHASE, 0, sealedSegments, PROGRESS_UNIT);
        for (int ordinal = 0; ordinal < sealedSegments; ordinal++) {
            if (ordinal > 0) {
                progress.progressed(PROGRESS_PHASE, ordinal, sealedSegments, PROGRESS_UNIT);
            }
            if (stopping.getAsBoolean()) {
                throw new StoreClosedException("compaction");
            }
            SegmentSet.Segment segment = core.segments().segment(ordinal);
            Path path = segment.path();
            if (!plan.removesEvents() && core.redactions().countIn(segment.firstGlobalSequence(),
                    core.segments().segment(ordinal + 1).firstGlobalSequence() - 1) == 0) {
                continue; // nothing redacted in it: nothing to erase
            }
            SegmentRewrite.Result r;
            try {
                r = SegmentRewrite.rewrite(path, ordinal, index, decider, core.config().ioFaultHook());
            } catch (IOException e) {
                throw new CompactionFailedException(path, "the rewrite could not be written", e);
            }
            if (r == null) {
                continue;
            }
            try {
                if (!checkpointRemoved) {
                    removeCheckpoint();
                    checkpointRemoved = true;
                }
            } catch (IOException e) {
                DurableFiles.discard(r.rewritten(), e);
                throw new CompactionFailedException(path, "the index checkpoint could not be removed", e);
            }
            swap(r, path);
            rewritten++;
            before += r.bytesBefore();
            after += r.bytesAfter();
            removed += r.removed();
            erased += r.erased();
        }
        progress.progressed(PROGRESS_PHASE, sealedSegments, sealedSegments, PROGRESS_UNIT);
        return new CompactionReport(rewritten, sealedSegments, before, after, removed, erased,
                (System.nanoTime() - t0) / 1_000_000);
    }

    private byte decide(FrameView v, EventIndex index, long cutMicros, int maxPerEntity) {
        long g = v.globalSequence();
        boolean redacted = core.redactions().contains(g);
        if (!io.batpak.core.EventKind.fromRaw(v.kind()).isReserved() && plan.removesEvents()) {
            if (v.timestampMicros() < cutMicros) {
                return SegmentRewrite.REMOVE;
            }
            if (maxPerEntity >= 0) {
                EntityState es = index.entityById(index.entityIdAt(g));
                if (v.entitySequence() < es.count() - (long) maxPerEntity) {
                    return SegmentRewrite.REMOVE;
                }
            }
            if (!plan.removeIf().isEmpty()) {
                StoredEvent e;
                try {
                    e = v.toStoredEvent(core.codec(), core.subjectKeys());
                } catch (SealedPayloadException ex) {
                    throw new CorruptStoreException(core.segments().segment(
                            EventIndex.segmentOrdinal(index.location(g))).path(), v.offset(), ex.getMessage());
                }
                if (redacted) {
                    e = e.withoutPayload();
                }
                for (Predicate<StoredEvent> p : plan.removeIf()) {
                    if (p.test(e)) {
                        return SegmentRewrite.REMOVE;
                    }
                }
            }
        }
        return redacted ? SegmentRewrite.ERASE : SegmentRewrite.KEEP;
    }

    private void removeCheckpoint() throws IOException {
        Path dir = core.dataDir();
        Path ckpt = dir.resolve(IndexCheckpoint.FILE_NAME);
        core.config().ioFaultHook().beforeDelete(ckpt.getFileName().toString());
        if (Files.deleteIfExists(ckpt)) {
            DurableFiles.fsyncDirectory(dir, core.config().ioFaultHook());
        }
    }

    /**
     * Renames the rewrite over the segment and points readers at it and the index at its frames, at once: under the
     * layout's write lock, so no reader opens the new file while the index still holds the old offsets.
     */
    private void swap(SegmentRewrite.Result r, Path path) {
        EventIndex index = core.index();
        SegmentSet segments = core.segments();
        StampedLock layout = segments.layout();
        long stamp = layout.writeLock();
        try {
            try {
                core.config().ioFaultHook().beforeRename(r.rewritten().getFileName().toString(),
                        path.getFileName().toString());
                Files.move(r.rewritten(), path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                DurableFiles.discard(r.rewritten(), e);
                throw new CompactionFailedException(path, "the rewrite could not replace the segment", e);
            }
            // From here the path names the rewrite: memory follows at once, whatever happens to the directory force.
            segments.replace(r.ordinal());
            long[] locations = r.locations();
            for (int i = 0; i < locations.length; i++) {
                index.relocate(r.firstGlobalSequence() + i, locations[i]);
            }
        } finally {
            layout.unlockWrite(stamp);
        }
        long[] keys = r.removedKeys();
        for (int i = 0; i + 2 < keys.length; i += 3) {
            core.keys().forget(keys[i], keys[i + 1], keys[i + 2]);
        }
        try {
            DurableFiles.fsyncDirectory(path.getParent(), core.config().ioFaultHook());
        } catch (IOException e) {
            // The old file may come back after a crash; it is complete, so the store stays whole either way.
            throw new CompactionFailedException(path, "the segment directory could not be forced after the swap", e);
        }
    }
}
