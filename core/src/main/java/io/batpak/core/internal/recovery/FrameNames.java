package io.batpak.core.internal.recovery;

import io.batpak.core.internal.segment.FrameView;

/**
 * The entity (or scope) names a recovery scan has met, found by the UTF-8 bytes of a frame's name in place: a scan
 * decodes each name once, when first seen, instead of building a string and a map look-up per frame. Open
 * addressing on the bytes' hash; one instance per kind of name and recovery attempt (it mirrors that attempt's
 * index). Not thread-safe.
 *
 * @param <V> what a name maps to (the entity's state, the scope's id)
 */
final class FrameNames<V> {
    private static final int INITIAL_SLOTS = 1024;

    private final boolean scopes;
    private byte[][] keys = new byte[INITIAL_SLOTS][];
    private int[] hashes = new int[INITIAL_SLOTS];
    private Object[] values = new Object[INITIAL_SLOTS];
    private int size;

    private FrameNames(boolean scopes) {
        this.scopes = scopes;
    }

    /** A table of entity names. */
    static <V> FrameNames<V> entities() {
        return new FrameNames<>(false);
    }

    /** A table of scope names. */
    static <V> FrameNames<V> scopes() {
        return new FrameNames<>(true);
    }

    /** What the name in frame {@code v} maps to, or null when this scan has not met it. */
    @SuppressWarnings("unchecked")
    V get(FrameView v) {
        int h = hash(v);
        int mask = keys.length - 1;
        for (int i = spread(h) & mask; keys[i] != null; i = (i + 1) & mask) {
            if (hashes[i] == h && (scopes ? v.scopeEquals(keys[i]) : v.entityEquals(keys[i]))) {
                return (V) values[i];
            }
        }
        return null;
    }

    /** Remembers the name in frame {@code v} (not met before) with {@code value}. */
    void add(FrameView v, V value) {
        if (2 * (size + 1) > keys.length) {
            grow();
        }
        insert(scopes ? v.scopeBytes() : v.entityBytes(), hash(v), value);
        size++;
    }

    private int hash(FrameView v) {
        return scopes ? v.scopeBytesHash() : v.entityBytesHash();
    }

    private void insert(byte[] key, int h, Object value) {
        int mask = keys.length - 1;
        int i = spread(h) & mask;
        while (keys[i] != null) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        hashes[i] = h;
        values[i] = value;
    }

    private void grow() {
        byte[][] oldKeys = keys;
        int[] oldHashes = hashes;
        Object[] oldValues = values;
        keys = new byte[oldKeys.length * 2][];
        hashes = new int[oldKeys.length * 2];
        values = new Object[oldKeys.length * 2];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null) {
                insert(oldKeys[i], oldHashes[i], oldValues[i]);
            }
        }
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }
}
