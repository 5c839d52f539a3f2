package io.batpak.core;

import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.InvalidQueryException;
import io.batpak.core.error.StoreException;
import io.batpak.core.internal.crypto.SealedPayloadException;
import io.batpak.core.internal.crypto.SubjectKeyStore;
import io.batpak.core.internal.journal.StoreCore;
import io.batpak.core.internal.recovery.SegmentScan;
import io.batpak.core.internal.segment.FrameView;
import io.batpak.core.internal.segment.SegmentFiles;
import io.batpak.core.internal.segment.SegmentHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows a store that may be owned and written by another process (or by this one), without taking its lock, the
 * way {@code tail -f} follows a file: {@link #poll} returns the events of a region after a position, first those
 * stored when the follower opened, then each atomic group as soon as it is completely written to its segment file.
 *
 * <p><b>What it sees.</b> Events in global-sequence order, each once, never part of an atomic batch. An event shows
 * once its group is written to the operating system, which under {@link SyncMode#EVERY_COMMIT} can be a force (a few
 * milliseconds) before its append is acknowledged; a power loss at that instant could take back an event a follower
 * showed. Redactions recorded before the open are applied; payloads redacted later, and events compacted away
 * later, may still show. When the owner compacts segments the follower has not read yet, the follower notices (the
 * offsets it holds no longer fit the rewritten file, a check fails) and takes its view again: it goes on after its
 * position with what survived. A sealed payload is opened with the store's key directory, re-read when a new
 * subject's key appears; a forgotten subject's payload reads as erased.
 *
 * <p><b>Errors.</b> Damage is detected and never served: a frame that fails its checks, other than a group still
 * being written at the end of the newest segment, fails {@link #poll} with {@link CorruptStoreException}. A segment
 * that shrinks under the follower (the owner rolled back a failed write the follower had already read) fails with
 * {@link StoreException}: open a new follower.
 *
 * <p>Not thread-safe: one thread polls. Holds one segment file open; {@link #close()} releases it.
 */
public final class StoreFollower implements AutoCloseable {
    /** Bytes read from a segment at a time (grown for a larger atomic group). */
    private static final int READ_CHUNK = 1 << 20;

    private final StoreConfig config;
    private final Region region;
    private final Path segmentsDir;
    private StoreCore snapshot;
    private long snapshotLast;
    private final ArrayDeque<StoredEvent> pending = new ArrayDeque<>();
    private final FrameView view = new FrameView();
    private SubjectKeyStore keys;
    private long position;
    private FileChannel channel;
    private Path segment;
    private long offset;
    private long nextSequence;
    private int chunk = READ_CHUNK;
    private boolean keysReloaded;
    private boolean closed;

    private StoreFollower(StoreConfig config, StoreCore snapshot, Region region, long after) {
        this.config = config;
        this.region = region;
        this.segmentsDir = SegmentFiles.directory(snapshot.dataDir());
        this.position = after;
        adopt(snapshot);
    }

    /** Takes {@code core} as the view of the stored events and continues the tail from its end. */
    private void adopt(StoreCore core) {
        this.snapshot = core;
        this.snapshotLast = core.lastGlobalSequence();
        this.keys = core.subjectKeys();
        this.pending.clear();
        List<Path> paths = core.recovered().segmentPaths();
        this.nextSequence = core.recovered().nextGlobalSequence();
        this.segment = paths.isEmpty() ? null : paths.get(paths.size() - 1);
        this.offset = paths.isEmpty() ? 0 : core.recovered().activeSegmentLength();
    }

    /**
     * Reads the stored events after {@link #position} from the view taken at the open. When the owner compacted a
     * segment meanwhile, the view's offsets no longer fit the file that now has its name: the read fails its checks,
     * and the view is taken again (once) before the failure is believed.
     */
    private List<StoredEvent> stored(int max) {
        try {
            return snapshot.query(region, position, max);
        } catch (CorruptStoreException first) {
            StoreCore fresh;
            try {
                fresh = StoreCore.openShared(config);
            } catch (RuntimeException e) {
                first.addSuppressed(e);
                throw first;
            }
            closeTail();
            snapshot.close();
            adopt(fresh);
            return snapshot.query(region, position, max);
        }
    }

    /**
     * Opens {@code config.dataDir()} for following the events of {@code region} after global sequence
     * {@code afterGlobalSequence} ({@code -1}: from the first event).
     *
     * @throws InvalidInputException when an argument is null or the position is below -1
     * @throws StoreException when the directory does not exist or cannot be read
     * @throws CorruptStoreException when stored data is damaged (or changed under the open: open again)
     * @throws io.batpak.core.error.UnsupportedFormatException when a file has a newer format version
     */
    public static StoreFollower open(StoreConfig config, Region region, long afterGlobalSequence) {
        InvalidInputException.requireArgument(config, "config");
        InvalidInputException.requireArgument(region, "region");
        if (afterGlobalSequence < -1) {
            throw new InvalidInputException("afterGlobalSequence", "must be >= -1, was " + afterGlobalSequence);
        }
        return new StoreFollower(config, StoreCore.openShared(config), region, afterGlobalSequence);
    }

    /**
     * Opens {@code config.dataDir()} for following only the events of {@code region} appended after the open.
     *
     * @throws InvalidInputException when an argument is null
     * @throws StoreException when the directory does not exist or cannot be read
     * @throws CorruptStoreException when stored data is damaged (or changed under the open: open again)
     */
    public static StoreFollower openAtEnd(StoreConfig config, Region region) {
        InvalidInputException.requireArgument(config, "config");
        InvalidInputException.requireArgument(region, "region");
        StoreCore core = StoreCore.openShared(config);
        return new StoreFollower(config, core, region, core.lastGlobalSequence());
    }

    /** Global sequence of the last event this follower has read past (returned or skipped as outside the region). */
    public long position() {
        return position;
    }

    /**
     * The next events of the region, at most {@code max}, in global order; empty when nothing new is completely
     * written yet (poll again later). Never blocks on the writer.
     *
     * @throws InvalidQueryException when {@code max} is not positive
     * @throws CorruptStoreException when a frame fails its checks
     * @throws StoreException when a segment cannot be read, or shrank under the follower
     * @throws IllegalStateException when the follower is closed
     */
    public List<StoredEvent> poll(int max) {
        if (max <= 0) {
            throw new InvalidQueryException("max must be > 0, was " + max);
        }
        if (closed) {
            throw new IllegalStateException("the follower of " + snapshot.dataDir() + " is closed");
        }
        List<StoredEvent> out = new ArrayList<>(Math.min(max, 1024));
        if (position < snapshotLast) {
            List<StoredEvent> stored = stored(max);
            out.addAll(stored);
            position = stored.size() < max ? snapshotLast : stored.get(stored.size() - 1).globalSequence();
            if (out.size() == max) {
                return out;
            }
        }
        while (out.size() < max) {
            if (pending.isEmpty() && !readMore()) {
                break;
            }
            StoredEvent e = pending.poll();
            if (e.globalSequence() <= position) {
                continue;
            }
            position = e.globalSequence();
            if (region.matches(e)) {
                out.add(e);
            }
        }
        return out;
    }

    /** Reads the next complete groups of the newest segment, or moves to the next segment; false when none. */
    private boolean readMore() {
        try {
            while (true) {
                if (segment == null) {
                    Path first = segmentsDir.resolve(SegmentFiles.fileName(nextSequence));
                    if (!first.toFile().exists()) {
                        return false;
                    }
                    segment = first;
                    offset = 0;
                }
                if (!openSegment()) {
                    return false;
                }
                long size = channel.size();
                if (size < offset) {
                    throw new StoreException("segment " + segment + " shrank to " + size + " bytes below the "
                            + offset + " already read (a failed write was rolled back); open a new follower");
                }
                if (size > offset && readGroups(size)) {
                    return true;
                }
                // Nothing new here. A segment named by the next sequence means this one is sealed: move on.
                Path next = segmentsDir.resolve(SegmentFiles.fileName(nextSequence));
                if (next.equals(segment) || !next.toFile().exists()) {
                    return false;
                }
                channel.close();
                channel = null;
                segment = next;
                offset = 0;
            }
        } catch (IOException e) {
            throw new StoreException("cannot read " + segment + ": " + e.getMessage(), e);
        }
    }

    /** Opens the current segment file and checks its header once; false when its header is not written yet. */
    private boolean openSegment() throws IOException {
        if (channel != null) {
            return true;
        }
        try {
            channel = FileChannel.open(segment, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (offset == 0) {
            if (channel.size() < SegmentHeader.LENGTH) {
                channel.close();
                channel = null;
                return false;
            }
            ByteBuffer h = ByteBuffer.allocate(SegmentHeader.LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            readFully(h, 0);
            SegmentHeader header = SegmentHeader.decode(h.flip(), segment);
            if (header.firstGlobalSequence() != nextSequence) {
                throw new CorruptStoreException(segment, 0, "segment starts at global sequence "
                        + header.firstGlobalSequence() + ", expected " + nextSequence);
            }
            offset = SegmentHeader.LENGTH;
        }
        return true;
    }

    /** Decodes the complete atomic groups in {@code [offset, size)} into {@link #pending}; false when none is. */
    private boolean readGroups(long size) throws IOException {
        while (true) {
            int length = (int) Math.min(size - offset, chunk);
            ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            readFully(buf, offset);
            buf.flip();
            keysReloaded = false;
            SegmentScan.Result r = SegmentScan.scan(buf, 0, nextSequence, 0);
            if (r.problem() != null && !r.problem().torn()) {
                throw new CorruptStoreException(segment, offset + r.problem().offset(), r.problem().reason());
            }
            if (r.validEnd() == 0) {
                if (length < size - offset) {
                    chunk *= 2; // one group larger than the chunk: read more at once
                    continue;
                }
                return false;
            }
            for (int at = 0; at < r.validEnd(); at += (int) view.totalLength()) {
                view.wrap(buf, at);
                if (view.isRemoval()) {
                    continue;
                }
                pending.add(decode());
            }
            offset += r.validEnd();
            nextSequence = r.nextSequence();
            return true;
        }
    }

    private StoredEvent decode() {
        try {
            StoredEvent e = view.toStoredEvent(snapshot.codec(), keys);
            if (e.payloadEncrypted() && e.payloadRedacted() && !view.payloadRedacted() && !keysReloaded) {
                keysReloaded = true;
                // Maybe a subject whose key was created after the open: load the key directory again.
                keys = SubjectKeyStore.open(snapshot.config().subjectKeysDir(), true,
                        snapshot.config().ioFaultHook());
                e = view.toStoredEvent(snapshot.codec(), keys);
            }
            return snapshot.redactions().contains(e.globalSequence()) ? e.withoutPayload() : e;
        } catch (SealedPayloadException ex) {
            throw new CorruptStoreException(segment, offset + view.offset(), ex.getMessage());
        }
    }

    private void readFully(ByteBuffer buf, long at) throws IOException {
        long p = at;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, p);
            if (n < 0) {
                throw new IOException("end of file at " + p + " in " + segment);
            }
            p += n;
        }
    }

    /** Releases the open segment file. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            closeTail();
        } finally {
            snapshot.close();
        }
    }

    private void closeTail() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // read-only channel: nothing to lose
        } finally {
            channel = null;
        }
    }

    @Override
    public String toString() {
        return "StoreFollower[" + snapshot.dataDir() + " " + region.identity() + " after " + position + "]";
    }
}
