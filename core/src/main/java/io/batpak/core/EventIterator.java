package io.batpak.core;

import java.util.Iterator;

/**
 * A forward-only run over stored events ({@link StoreReader#replay}), in global-sequence order. It holds a segment
 * file open while it runs: close it when done, or let it reach its end, which releases it too.
 * Not thread-safe: one thread iterates.
 */
public interface EventIterator extends Iterator<StoredEvent>, AutoCloseable {
    /**
     * The global sequence this run has read past: of the last event returned, or of the last one skipped as outside
     * the region or removed (so a caller can resume after it); the start position before the first.
     */
    long position();

    /** Releases the file. Idempotent; {@link #hasNext()} is false afterwards. */
    @Override
    void close();
}
