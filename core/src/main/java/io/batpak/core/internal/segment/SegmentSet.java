package io.batpak.core.internal.segment;

import io.batpak.core.PayloadCodec;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.InvalidCoordinateException;
import io.batpak.core.internal.crypto.SealedPayloadException;
import io.batpak.core.internal.crypto.SubjectKeyStore;
import io.batpak.core.error.StoreClosedException;
import io.batpak.core.error.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Supplier;

/**
 * The store's segment files as seen by readers: an ordinal per segment (its position in commit order). Sealed
 * segments (every one but the newest, which is never written again) are read through a read-only memory map,
 * without a system call per read; the newest through positional reads on a read-only channel. Both are
 * thread-safe. Every frame read is checked against its CRC32C before it is served; a mismatch is a
 * {@link CorruptStoreException} naming file and offset.
 *
 * <p>Segments are added by the single writer thread; reads may run on any thread. A sealed segment may be
 * <em>replaced</em> by a rewritten file (compaction): the replacement and the matching change of the index's
 * locations happen under the write side of {@link #layout()}, and a reader that resolves an index location to a
 * frame does so under an optimistic read of it, retrying when a replacement ran meanwhile, so no reader ever pairs
 * a location with the wrong file.
 */
public final class SegmentSet implements AutoCloseable {
    /** One segment file. */
    public static final class Segment {
        final Path path;
        final long firstGlobalSequence;
        volatile FileChannel channel;
        /** Set once a newer segment exists: this one is never written again. */
        volatile boolean sealed;
        volatile ByteBuffer map;
        /** Set once a rewritten file replaced this one: its channel is closed and never reopened. */
        volatile boolean retired;

        Segment(Path path, long firstGlobalSequence) {
            this.path = path;
            this.firstGlobalSequence = firstGlobalSequence;
        }

        public Path path() {
            return path;
        }

        public long firstGlobalSequence() {
            return firstGlobalSequence;
        }
    }

    private volatile Segment[] segments = new Segment[0];
    private volatile boolean closed;
    private final java.util.concurrent.locks.StampedLock layout = new java.util.concurrent.locks.StampedLock();
    private final ThreadLocal<FrameView> views = ThreadLocal.withInitial(FrameView::new);

    /**
     * Registers a segment file as the newest; the previous newest is sealed (it is never written again, so it
     * may be memory-mapped). Returns the new segment's ordinal. Writer thread (or recovery) only.
     */
    public synchronized int add(Path path, long firstGlobalSequence) {
        Segment[] old = segments;
        if (old.length > 0) {
            old[old.length - 1].sealed = true;
        }
        Segment[] grown = new Segment[old.length + 1];
        System.arraycopy(old, 0, grown, 0, old.length);
        grown[old.length] = new Segment(path, firstGlobalSequence);
        segments = grown;
        return old.length;
    }

    public int count() {
        return segments.length;
    }

    /**
     * Guards the pairing of index locations with segment files: a replacement holds the write lock while it swaps the
     * file and relocates the index rows; a whole-store walk (verification) holds the read lock; single reads validate
     * an optimistic stamp.
     */
    public java.util.concurrent.locks.StampedLock layout() {
        return layout;
    }

    /**
     * Replaces sealed segment {@code ordinal} by the file now at its path (a rewrite renamed over it). The old file's
     * channel is closed, so its space returns to the file system once its memory map is collected. Call with the
     * write lock of {@link #layout()} held.
     */
    public synchronized void replace(int ordinal) {
        Segment old = segments[ordinal];
        if (!old.sealed) {
            throw new IllegalStateException("segment " + old.path + " is not sealed and cannot be replaced");
        }
        Segment fresh = new Segment(old.path, old.firstGlobalSequence);
        fresh.sealed = true;
        Segment[] copy = segments.clone();
        copy[ordinal] = fresh;
        segments = copy;
        synchronized (old) {
            old.retired = true;
            old.map = null;
            FileChannel ch = old.channel;
            old.channel = null;
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // A read-only channel: closing it cannot lose data.
                }
            }
        }
    }

    /** Whether segment {@code ordinal} is sealed (a newer one exists, it is never written again). */
    public boolean sealed(int ordinal) {
        return segments[ordinal].sealed;
    }

    public Segment segment(int ordinal) {
        return segments[ordinal];
    }

    /** Total bytes of all segment files. */
    public long totalBytes() {
        long total = 0;
        for (Segment s : segments) {
            total += s.path.toFile().length();
        }
        return total;
    }

    /**
     * Reads and checks the frame at {@code offset} of segment {@code ordinal}; a negative {@code length} means
     * unknown (it is read from the frame's length prefix).
     *
     * @return a little-endian buffer holding exactly the frame
     * @throws CorruptStoreException when the frame fails its checks
     */
    public ByteBuffer readFrame(int ordinal, int offset, int length) {
        Segment s = segments[ordinal];
        ByteBuffer buf;
        ByteBuffer map = s.sealed ? map(s) : null;
        if (length < 0) {
            length = lengthAt(s, map, offset);
        }
        if (map != null && (long) offset + length <= map.capacity()) {
            buf = map.slice(offset, length).order(ByteOrder.LITTLE_ENDIAN);
        } else {
            buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            readFully(s, buf, offset);
            buf.flip();
        }
        FrameView v = views.get().wrap(buf, 0);
        if (v.totalLength() != length) {
            throw new CorruptStoreException(s.path, offset, "frame length " + v.totalLength() + " does not match index length " + length);
        }
        String problem = v.validate();
        if (problem != null) {
            throw new CorruptStoreException(s.path, offset, problem);
        }
        return buf;
    }

    /**
     * Reads, checks and decodes the frame at a location; verifies it holds {@code expectedGlobalSequence}. A sealed
     * payload is decrypted with {@code keys}.
     */
    public StoredEvent readEvent(int ordinal, int offset, int length, long expectedGlobalSequence, PayloadCodec codec,
                                 SubjectKeyStore keys) {
        return readEvent(ordinal, offset, length, expectedGlobalSequence, codec, keys, null);
    }

    /**
     * {@link #readEvent(int, int, int, long, PayloadCodec, SubjectKeyStore)} with the event's coordinate already
     * known from the index (built from this frame), so the frame's names are not decoded again; null decodes them.
     */
    public StoredEvent readEvent(int ordinal, int offset, int length, long expectedGlobalSequence, PayloadCodec codec,
                                 SubjectKeyStore keys, io.batpak.core.Coordinate known) {
        ByteBuffer buf = readFrame(ordinal, offset, length);
        FrameView v = views.get().wrap(buf, 0);
        if (v.isRemoval()) {
            throw new CorruptStoreException(segments[ordinal].path, offset,
                    "the index expects event " + expectedGlobalSequence + " here, the frame records removed events");
        }
        if (v.globalSequence() != expectedGlobalSequence) {
            throw new CorruptStoreException(segments[ordinal].path, offset,
                    "frame holds global sequence " + v.globalSequence() + ", index expects " + expectedGlobalSequence);
        }
        try {
            return v.toStoredEvent(codec, keys, known);
        } catch (InvalidCoordinateException e) {
            throw new CorruptStoreException(segments[ordinal].path, offset, "frame holds an invalid " + e.getMessage());
        } catch (SealedPayloadException e) {
            throw new CorruptStoreException(segments[ordinal].path, offset, e.getMessage());
        }
    }

    /**
     * Reads, checks and decodes the removal frame at a location (see {@link RemovalFrame}).
     *
     * @throws CorruptStoreException when the frame fails its checks or is not a removal frame
     */
    public RemovalFrame.Decoded readRemoval(int ordinal, int offset) {
        ByteBuffer buf = readFrame(ordinal, offset, -1);
        FrameView v = views.get().wrap(buf, 0);
        if (!v.isRemoval()) {
            throw new CorruptStoreException(segments[ordinal].path, offset,
                    "the index expects a removal frame here, the frame has type " + v.frameType());
        }
        return v.removal();
    }

    /**
     * Reads bytes of segment {@code ordinal} from {@code position} into {@code dst} without checking them, until
     * {@code dst} is full or the file ends. Thread-safe positional read, like every read of this class.
     *
     * @return the number of bytes read (less than requested only at the end of the file)
     */
    public int readRaw(int ordinal, long position, ByteBuffer dst) {
        int start = dst.position();
        read(segments[ordinal], dst, position, false);
        return dst.position() - start;
    }

    /** The current size in bytes of segment {@code ordinal}'s file. */
    public long size(int ordinal) {
        Segment s = segments[ordinal];
        return withChannel(s, () -> "the size of " + s.path, () -> {}, FileChannel::size);
    }

    private void readFully(Segment s, ByteBuffer buf, long position) {
        read(s, buf, position, true);
    }

    private void read(Segment s, ByteBuffer buf, long position, boolean fully) {
        int start = buf.position();
        withChannel(s, () -> s.path + " at offset " + position, () -> buf.position(start), ch -> {
            long pos = position;
            while (buf.hasRemaining()) {
                int n = ch.read(buf, pos);
                if (n < 0) {
                    if (!fully) {
                        return null;
                    }
                    throw new CorruptStoreException(s.path, position, "frame runs past the end of the file");
                }
                pos += n;
            }
            return null;
        });
    }

    /** An I/O step on a segment's read channel. */
    @FunctionalInterface
    private interface ChannelOp<T> {
        T apply(FileChannel channel) throws IOException;
    }

    /**
     * Runs {@code op} on the segment's shared read channel. A reader thread that is interrupted during channel I/O
     * closes the channel for everyone; then the channel is reopened and {@code op} retried once (after
     * {@code reset}). {@code what} names the read in an error; it is built only then (reads are per event).
     */
    private <T> T withChannel(Segment s, Supplier<String> what, Runnable reset, ChannelOp<T> op) {
        boolean retried = false;
        while (true) {
            try {
                return op.apply(channel(s));
            } catch (ClosedChannelException e) {
                if (closed) {
                    throw new StoreClosedException("read");
                }
                if (s.retired) {
                    throw new StoreException("cannot read " + what.get() + ": the segment was rewritten", e);
                }
                if (retried) {
                    throw new StoreException("cannot read " + what.get() + ": " + e, e);
                }
                retried = true;
                reopen(s);
                reset.run();
            } catch (IOException e) {
                throw new StoreException("cannot read " + what.get() + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Total length of the frame at {@code offset} of segment {@code ordinal}, from its length prefix.
     *
     * @throws CorruptStoreException when the prefix holds an impossible length
     */
    public int frameLengthAt(int ordinal, int offset) {
        Segment s = segments[ordinal];
        return lengthAt(s, s.sealed ? map(s) : null, offset);
    }

    private int lengthAt(Segment s, ByteBuffer map, int offset) {
        long frameLength;
        if (map != null && offset + FrameLayout.PREFIX_LENGTH <= map.capacity()) {
            frameLength = Integer.toUnsignedLong(map.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(offset));
        } else {
            ByteBuffer prefix = ByteBuffer.allocate(FrameLayout.PREFIX_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            readFully(s, prefix, offset);
            frameLength = Integer.toUnsignedLong(prefix.getInt(0));
        }
        if (frameLength < FrameLayout.MIN_FRAME_LENGTH || frameLength > Integer.MAX_VALUE - FrameLayout.PREFIX_LENGTH) {
            throw new CorruptStoreException(s.path, offset, "bad frame length " + frameLength);
        }
        return (int) frameLength + FrameLayout.PREFIX_LENGTH;
    }

    /** The read-only map of a sealed segment, created on first use; null if it cannot be mapped. */
    private ByteBuffer map(Segment s) {
        ByteBuffer m = s.map;
        if (m != null) {
            return m;
        }
        synchronized (s) {
            if (s.map == null && !closed && !s.retired) {
                try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.READ)) {
                    s.map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
                } catch (IOException | RuntimeException e) {
                    // Positional reads still work; mapping is only an acceleration.
                    return null;
                }
            }
            return s.map;
        }
    }

    private FileChannel channel(Segment s) throws IOException {
        FileChannel ch = s.channel;
        if (ch == null) {
            synchronized (s) {
                ch = s.channel;
                if (ch == null) {
                    if (closed || s.retired) {
                        throw new ClosedChannelException();
                    }
                    ch = FileChannel.open(s.path, StandardOpenOption.READ);
                    s.channel = ch;
                }
            }
        }
        return ch;
    }

    private void reopen(Segment s) {
        synchronized (s) {
            FileChannel ch = s.channel;
            if (ch != null && !ch.isOpen()) {
                s.channel = null;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Segment s : segments) {
            synchronized (s) {
                FileChannel ch = s.channel;
                s.channel = null;
                s.map = null;
                if (ch != null) {
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // Closing a read-only channel cannot lose data.
                    }
                }
            }
        }
    }
}
