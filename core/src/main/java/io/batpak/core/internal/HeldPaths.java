package io.batpak.core.internal;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Files held by something open in this JVM (a store's directory lock, a running cursor's checkpoint): a second
 * holder in the same JVM is refused before the file is touched, because OS file locks do not exclude two channels
 * of one process. Keys are absolute, normalised paths. Thread-safe.
 */
public final class HeldPaths {
    private final Set<Path> held = ConcurrentHashMap.newKeySet();

    /** Holds {@code key}; false when it is held already. */
    public boolean hold(Path key) {
        return held.add(key);
    }

    /** Gives {@code key} up; idempotent. */
    public void release(Path key) {
        held.remove(key);
    }
}
