package io.batpak.core.internal.journal;

import io.batpak.core.EventIterator;
import io.batpak.core.StoredEvent;

/**
 * The iterator {@code StoreReader.replay} returns, with one more step for callers that must not block on a file
 * read (a stream stage on a non-blocking thread): it takes the next event only when its frame is already in the
 * read buffer. Not thread-safe, like {@link EventIterator}.
 */
public interface SequentialRun extends EventIterator {
    /**
     * The next event when it can be had without reading a file: its frame (and every frame skipped on the way to
     * it) is in the read buffer, or {@link #hasNext()} already fetched it. Null when a file read comes first, or
     * at the end; {@link #hasNext()} (which may read) then tells which. Checks and errors as {@link #next()}.
     */
    StoredEvent nextIfBuffered();
}
