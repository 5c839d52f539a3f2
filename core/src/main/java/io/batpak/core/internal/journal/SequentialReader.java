package io.batpak.core.internal.journal;

import io.batpak.core.EventHandler;
import io.batpak.core.EventIterator;
import io.batpak.core.EventKind;
import io.batpak.core.EventView;
import io.batpak.core.Region;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.StoreException;
import io.batpak.core.internal.crypto.SealedPayloadException;
import io.batpak.core.internal.index.EventIndex;
import io.batpak.core.internal.index.RegionQuery;
import io.batpak.core.internal.segment.FrameLayout;
import io.batpak.core.internal.segment.FrameView;
import io.batpak.core.internal.segment.SegmentSet;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.NoSuchElementException;
import java.util.concurrent.locks.StampedLock;

/**
 * The sequential replay path: walks the segment files in order, frame after frame, from a start position to the
 * visibility watermark read at construction, instead of one index lookup and one positional read per event.
 *
 * <p>Each segment is opened when the walk reaches it and read in large sequential chunks into one heap buffer (the
 * open channel keeps the file it was opened on, so a compaction renaming a rewrite over it later does not disturb
 * the walk); the segment and the offset of the first frame are taken under the read lock of the segment layout, so
 * they belong together. Every frame is checked
 * (CRC32C, structure) and must carry the expected global sequence; a frame that does not is a
 * {@link CorruptStoreException} naming file and offset. Removal frames advance the sequence over the events they
 * record. Events outside the region are skipped using the index, before their frame is decoded. Memory: the read
 * buffer (grown only for a frame larger than it) and one decoded event.
 */
final class SequentialReader implements SequentialRun {
    /** Bytes read from a segment at a time: large sequential reads, one buffer for the whole walk. */
    private static final int READ_CHUNK = 1 << 20;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final StoreCore core;
    private final EventIndex index;
    private final Region region;
    private final boolean everything;
    private final long watermark;
    private final FrameView view = new FrameView();
    private long position;
    private long expected;
    private int ordinal;
    private Path path;
    private FileChannel channel;
    /** Length of the segment file when the walk reached it. */
    private long fileEnd;
    /** Bytes of the segment from file offset {@link #bufStart}; {@code limit()} is how many are there. */
    private ByteBuffer buf = ByteBuffer.allocate(READ_CHUNK).order(ByteOrder.LITTLE_ENDIAN).limit(0);
    private long bufStart;
    private long at;
    private StoredEvent next;
    /** File offset of the frame in view. */
    private long frameAt;
    private boolean closed;
    /** While set ({@link #nextIfBuffered}), a step that would read a file stops instead and sets {@link #wouldRead}. */
    private boolean inMemory;
    private boolean wouldRead;

    SequentialReader(StoreCore core, Region region, long after) {
        this.core = core;
        this.index = core.index();
        this.region = region;
        this.everything = region.identity().equals(Region.all().identity());
        this.watermark = index.visible();
        this.position = after;
        this.expected = Math.max(0, after + 1);
        if (expected > watermark) {
            closed = true;
            return;
        }
        StampedLock layout = core.segments().layout();
        long stamp = layout.readLock();
        try {
            long loc = index.location(expected) & ~EventIndex.REMOVED_BIT;
            ordinal = EventIndex.segmentOrdinal(loc);
            int offset = EventIndex.segmentOffset(loc);
            openLocked(ordinal);
            at = offset;
            if (EventIndex.isRemoved(index.location(expected))) {
                // Inside a removal run: its frame starts the run, at or before the event asked for.
                ensure(FrameLayout.PREFIX_LENGTH + FrameLayout.MIN_FRAME_LENGTH);
                view.wrap(buf, local());
                expected = view.globalSequence();
            }
        } finally {
            layout.unlockRead(stamp);
        }
    }

    /**
     * Opens segment {@code n} as it is now (the caller holds the layout's read lock); the open channel keeps that
     * file, whatever is renamed over its name later.
     */
    private void openLocked(int n) {
        closeChannel();
        SegmentSet.Segment s = core.segments().segment(n);
        path = s.path();
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
            fileEnd = channel.size();
        } catch (IOException e) {
            closeChannel();
            throw new StoreException("cannot read " + path + ": " + e.getMessage(), e);
        }
        bufStart = 0;
        buf.limit(0);
    }

    private int local() {
        return (int) (at - bufStart);
    }

    /**
     * Makes at least {@code n} bytes from {@link #at} available in {@link #buf} (fewer only at the end of the file);
     * returns how many are.
     */
    private long ensure(long n) {
        if (at >= bufStart && at + n <= bufStart + buf.limit()) {
            return n;
        }
        if (inMemory) {
            wouldRead = true;
            return 0;
        }
        long want = Math.min(Math.max(n, READ_CHUNK), fileEnd - at);
        if (want > buf.capacity()) {
            buf = ByteBuffer.allocate((int) want).order(ByteOrder.LITTLE_ENDIAN);
        }
        buf.clear().limit((int) Math.max(0, want));
        long p = at;
        try {
            while (buf.hasRemaining()) {
                int r = channel.read(buf, p);
                if (r < 0) {
                    break;
                }
                p += r;
            }
        } catch (IOException e) {
            throw new StoreException("cannot read " + path + " at offset " + at + ": " + e.getMessage(), e);
        }
        buf.flip();
        bufStart = at;
        return Math.min(n, buf.limit());
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only: nothing to lose
            }
            channel = null;
        }
    }

    private void nextSegment() {
        StampedLock layout = core.segments().layout();
        long stamp = layout.readLock();
        try {
            ordinal++;
            if (ordinal >= core.segments().count()) {
                throw new CorruptStoreException(path, at, "the segments end at global sequence " + (expected - 1)
                        + ", before the visible event " + watermark);
            }
            SegmentSet.Segment s = core.segments().segment(ordinal);
            if (s.firstGlobalSequence() != expected) {
                throw new CorruptStoreException(s.path(), 0, "segment starts at global sequence "
                        + s.firstGlobalSequence() + ", the walk expected " + expected);
            }
            openLocked(ordinal);
            at = io.batpak.core.internal.segment.SegmentHeader.LENGTH;
        } finally {
            layout.unlockRead(stamp);
        }
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (closed) {
            return false;
        }
        next = advance();
        if (next == null) {
            close();
            return false;
        }
        return true;
    }

    @Override
    public StoredEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the replay is at its end (global sequence " + position + ")");
        }
        StoredEvent e = next;
        next = null;
        return e;
    }

    @Override
    public StoredEvent nextIfBuffered() {
        if (next != null) {
            StoredEvent e = next;
            next = null;
            return e;
        }
        if (closed) {
            return null;
        }
        inMemory = true;
        try {
            // A step stopped before a read leaves the walk where it was: the frame it needs is read later.
            return step() ? decode(position) : null;
        } finally {
            inMemory = false;
            wouldRead = false;
        }
    }

    /** The next event of the region, or null at the watermark. */
    private StoredEvent advance() {
        return step() ? decode(position) : null;
    }

    /**
     * Moves to the next frame of the region: {@link #view} then shows it (until the next step reads more) and
     * {@link #position} is its global sequence. False at the watermark.
     */
    private boolean step() {
        while (expected <= watermark) {
            if (at >= fileEnd) {
                if (inMemory) {
                    wouldRead = true;
                    return false;
                }
                nextSegment();
                continue;
            }
            long got = ensure(FrameLayout.PREFIX_LENGTH);
            if (wouldRead) {
                return false;
            }
            if (got < FrameLayout.PREFIX_LENGTH) {
                throw new CorruptStoreException(path, at, "only " + (fileEnd - at)
                        + " bytes before the end of the file, a frame was expected");
            }
            view.wrap(buf, local());
            long total = view.totalLength();
            // Read before ensure(): a refill moves the buffer under the view.
            boolean sane = view.frameLength() >= FrameLayout.MIN_FRAME_LENGTH;
            if (sane) {
                got = ensure(total);
                if (wouldRead) {
                    return false;
                }
            }
            if (!sane || got < total) {
                throw new CorruptStoreException(path, at, "frame of " + total + " bytes does not fit the file ("
                        + (fileEnd - at) + " bytes left)");
            }
            view.wrap(buf, local());
            long g = expected;
            if (view.globalSequence() != g) {
                throw new CorruptStoreException(path, at, "frame holds global sequence " + view.globalSequence()
                        + ", expected " + g);
            }
            boolean removal = view.isRemoval();
            boolean wanted = !removal && !index.removed(g) && (everything || RegionQuery.matches(index, region, g));
            // Frames that are served or that move the walk by more than one event are checked in full; a skipped
            // event frame is only placed (its sequence), as nothing of it is handed out.
            if (wanted || removal) {
                String problem = view.validate();
                if (problem != null) {
                    throw new CorruptStoreException(path, at, problem);
                }
            }
            frameAt = at;
            expected += view.sequenceSpan();
            at += total;
            position = Math.min(expected - 1, watermark);
            if (wanted) {
                position = g;
                return true;
            }
        }
        return false;
    }

    private StoredEvent decode(long g) {
        try {
            StoredEvent e = view.toStoredEvent(core.codec(), core.subjectKeys(), core.index().coordinateAt(g));
            return core.redactions().contains(g) ? e.withoutPayload() : e;
        } catch (SealedPayloadException ex) {
            throw new CorruptStoreException(path, frameAt, ex.getMessage());
        }
    }

    /**
     * Hands every remaining event of the region to {@code handler} in place ({@link EventView}), then closes.
     *
     * @return the number of events handed
     */
    long forEach(EventHandler handler) {
        if (next != null) {
            throw new IllegalStateException("forEach after next(): the iterator already holds an event");
        }
        InPlace current = new InPlace();
        long n = 0;
        try {
            while (!closed && step()) {
                current.valid = true;
                try {
                    handler.onEvent(current);
                } finally {
                    current.valid = false;
                }
                n++;
            }
        } finally {
            close();
        }
        return n;
    }

    /** The frame in view, read in place; valid only during the handler's call. */
    private final class InPlace implements EventView {
        boolean valid;

        private FrameView frame() {
            if (!valid) {
                throw new IllegalStateException("an EventView is valid only during the handler's call; keep"
                        + " toStoredEvent() instead");
            }
            return view;
        }

        @Override
        public long globalSequence() {
            return frame().globalSequence();
        }

        @Override
        public long entitySequence() {
            return frame().entitySequence();
        }

        @Override
        public long timestampMicros() {
            return frame().timestampMicros();
        }

        @Override
        public EventKind kind() {
            return EventKind.fromRaw(frame().kind());
        }

        @Override
        public String entity() {
            return frame().entity();
        }

        @Override
        public String scope() {
            return frame().scope();
        }

        @Override
        public boolean payloadRedacted() {
            return frame().payloadRedacted() || core.redactions().contains(position);
        }

        @Override
        public boolean payloadEncrypted() {
            return frame().payloadSealed();
        }

        @Override
        public ByteBuffer payload() {
            FrameView f = frame();
            if (payloadRedacted()) {
                return EMPTY;
            }
            if (f.payloadSealed()) {
                return ByteBuffer.wrap(toStoredEvent().payload()).asReadOnlyBuffer();
            }
            int from = f.offset() + f.payloadOffset();
            return buf.slice(from, (int) f.payloadLength()).asReadOnlyBuffer();
        }

        @Override
        public StoredEvent toStoredEvent() {
            frame();
            return decode(position);
        }

        @Override
        public String toString() {
            return valid ? "EventView[global " + position + "]" : "EventView[no longer valid]";
        }
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void close() {
        closed = true;
        closeChannel();
    }
}
