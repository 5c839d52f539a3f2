package io.batpak.core;

import java.nio.ByteBuffer;

/**
 * One event of an in-place replay ({@link StoreReader#replay(Region, long, EventHandler)}), read straight from its
 * checked frame in the replay's read buffer: nothing is copied or decoded until a method asks for it, so a consumer
 * that does not keep events (a read model summing amounts, a counter, an index builder) allocates nothing per event.
 *
 * <p>A view is valid only during the {@link EventHandler#onEvent} call that received it; afterwards every method
 * throws {@link IllegalStateException}, and a buffer from {@link #payload()} may hold other bytes. Keep
 * {@link #toStoredEvent()} to hold on to an event. Not thread-safe: use it on the replaying thread.
 */
public interface EventView {
    /** The event's global sequence. */
    long globalSequence();

    /** The event's sequence within its entity. */
    long entitySequence();

    /** Commit time, microseconds since the epoch. */
    long timestampMicros();

    /** The event's kind. */
    EventKind kind();

    /** The entity's name (decoded from the frame on each call). */
    String entity();

    /** The scope's name (decoded from the frame on each call). */
    String scope();

    /** Whether the payload is gone (redacted, or its data subject forgotten). */
    boolean payloadRedacted();

    /** Whether the payload is stored sealed for a data subject. */
    boolean payloadEncrypted();

    /**
     * The payload as a read-only buffer from position 0 to its length: a slice of the read buffer (no copy) for a
     * plain payload, the decrypted bytes for a sealed one, empty when redacted. Valid during the call only.
     */
    ByteBuffer payload();

    /** A full, independent copy of the event, as {@link StoreReader#query} returns it. */
    StoredEvent toStoredEvent();
}
