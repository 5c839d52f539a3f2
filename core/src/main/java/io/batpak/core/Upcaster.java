package io.batpak.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batpak.core.error.UpcastException;

/**
 * Turns the payload of one event kind from schema version {@code n} into version {@code n + 1}, on read. Registered
 * per kind and source version ({@link StoreConfig.Builder#upcaster(Class, int, Upcaster)}); a typed read of an event
 * stored with version {@code v} below the type's current version {@code c} applies the steps {@code v -> v+1 -> ... -> c}
 * in order to the decoded Jackson tree, then binds the tree to the current class. Stored bytes are never rewritten,
 * so hashes never change.
 *
 * <p>An upcaster runs on the reading thread, must be thread-safe and should be a pure function of its input. It
 * may modify {@code payload} in place and return it, or return a new node. A thrown exception (or a null result)
 * fails the read with {@link UpcastException}.
 */
@FunctionalInterface
public interface Upcaster {
    /**
     * @param payload the payload in the source version's shape (a CBOR map decoded to a tree)
     * @return the payload in the next version's shape
     */
    ObjectNode upcast(ObjectNode payload);
}
