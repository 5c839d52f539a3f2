package io.batpak.core;

import io.batpak.core.error.EventTypeMismatchException;
import io.batpak.core.error.FutureVersionException;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.MissingUpcasterException;
import io.batpak.core.error.PayloadEncodingException;
import io.batpak.core.error.PayloadUnavailableException;
import io.batpak.core.error.UpcastException;
import java.util.List;
import java.util.Optional;

/**
 * An event as stored: identity, placement (entity and global sequence), chain hashes and payload bytes.
 * Immutable and thread-safe ({@link #payload()} returns a copy).
 */
public final class StoredEvent {
    private final EventId eventId;
    private final Coordinate coordinate;
    private final EventKind kind;
    private final long entitySequence;
    private final long globalSequence;
    private final long timestampMicros;
    private final EventId correlationId;
    private final EventId causationId;
    private final int flags;
    private final int payloadVersion;
    private final Hash prevHash;
    private final Hash eventHash;
    private final List<String> tags;
    private final Hash payloadDigest;
    private final boolean payloadRedacted;
    private final boolean payloadEncrypted;
    private final byte[] payload;
    private final PayloadCodec codec;

    /** An event without tags whose payload is present; its payload digest is computed from {@code payload}. */
    public StoredEvent(EventId eventId, Coordinate coordinate, EventKind kind, long entitySequence,
                       long globalSequence, long timestampMicros, EventId correlationId, EventId causationId,
                       int flags, int payloadVersion, Hash prevHash, Hash eventHash, byte[] payload,
                       PayloadCodec codec) {
        this(eventId, coordinate, kind, entitySequence, globalSequence, timestampMicros, correlationId, causationId,
                flags, payloadVersion, prevHash, eventHash, List.of(), Hash.blake3(payload), false, payload, codec);
    }

    /**
     * An event as read from its frame.
     *
     * @param tags the event's tags in the order given (validated when appended)
     * @param payloadDigest BLAKE3-256 of the payload as appended
     * @param payloadRedacted whether the payload bytes were removed ({@code payload} is then empty)
     */
    public StoredEvent(EventId eventId, Coordinate coordinate, EventKind kind, long entitySequence,
                       long globalSequence, long timestampMicros, EventId correlationId, EventId causationId,
                       int flags, int payloadVersion, Hash prevHash, Hash eventHash, List<String> tags,
                       Hash payloadDigest, boolean payloadRedacted, byte[] payload, PayloadCodec codec) {
        this(eventId, coordinate, kind, entitySequence, globalSequence, timestampMicros, correlationId, causationId,
                flags, payloadVersion, prevHash, eventHash, tags, payloadDigest, payloadRedacted, false, payload, codec);
    }

    /**
     * An event as read from its frame, possibly with a payload stored encrypted for a data subject.
     *
     * @param payloadRedacted whether the payload is gone: its bytes were removed, or it was encrypted and its
     *        subject's key was destroyed ({@code payload} is then empty)
     * @param payloadEncrypted whether the payload is stored encrypted for a data subject ({@code payload} is the
     *        decrypted plaintext while the key exists); {@code payloadDigest} is then the digest of the stored
     *        ciphertext envelope
     */
    public StoredEvent(EventId eventId, Coordinate coordinate, EventKind kind, long entitySequence,
                       long globalSequence, long timestampMicros, EventId correlationId, EventId causationId,
                       int flags, int payloadVersion, Hash prevHash, Hash eventHash, List<String> tags,
                       Hash payloadDigest, boolean payloadRedacted, boolean payloadEncrypted, byte[] payload,
                       PayloadCodec codec) {
        this.payloadEncrypted = payloadEncrypted;
        this.tags = List.copyOf(InvalidInputException.requireArgument(tags, "tags"));
        this.payloadDigest = InvalidInputException.requireArgument(payloadDigest, "payloadDigest");
        this.payloadRedacted = payloadRedacted;
        this.eventId = eventId;
        this.coordinate = coordinate;
        this.kind = kind;
        this.entitySequence = entitySequence;
        this.globalSequence = globalSequence;
        this.timestampMicros = timestampMicros;
        this.correlationId = correlationId;
        this.causationId = causationId;
        this.flags = flags;
        this.payloadVersion = payloadVersion;
        this.prevHash = prevHash;
        this.eventHash = eventHash;
        this.payload = payload;
        this.codec = codec;
    }

    public EventId eventId() {
        return eventId;
    }

    public Coordinate coordinate() {
        return coordinate;
    }

    public EventKind kind() {
        return kind;
    }

    /**
     * Position within the entity: 0 for its first event, assigned gap-free. Compaction may remove events, never
     * renumbers the ones it keeps, so a surviving event keeps its sequence.
     */
    public long entitySequence() {
        return entitySequence;
    }

    /**
     * Commit order within the store: 0 for the first event, assigned gap-free and never reused; events removed by
     * compaction leave their sequences unused.
     */
    public long globalSequence() {
        return globalSequence;
    }

    /** Microseconds since the Unix epoch; strictly increasing per store in the order appends were accepted. */
    public long timestampMicros() {
        return timestampMicros;
    }

    /** The correlation id; equals {@link #eventId()} for a root event. */
    public EventId correlationId() {
        return correlationId;
    }

    /** The id of the event that caused this one, if any. */
    public Optional<EventId> causationId() {
        return Optional.ofNullable(causationId);
    }

    public int flags() {
        return flags;
    }

    /** Schema version of the payload; 0 when the append did not state one. */
    public int payloadVersion() {
        return payloadVersion;
    }

    /** The eventHash of the entity's previous event; {@link Hash#ZERO} for its first. */
    public Hash prevHash() {
        return prevHash;
    }

    public Hash eventHash() {
        return eventHash;
    }

    /** The event's tags, in the order its append gave them; empty when it has none. */
    public List<String> tags() {
        return tags;
    }

    /**
     * BLAKE3-256 of the payload bytes as stored when appended (for an {@link #payloadEncrypted() encrypted} payload,
     * of its ciphertext envelope); the chain hash covers the payload through it.
     */
    public Hash payloadDigest() {
        return payloadDigest;
    }

    /**
     * Whether the payload was erased: redacted (its bytes were removed) or, for an {@link #payloadEncrypted()
     * encrypted} payload, shredded (its subject's key was destroyed by {@code forgetSubject}). {@link #payload()} is
     * then empty while the digest, and so the event's hash and its entity's chain, are kept.
     */
    public boolean payloadRedacted() {
        return payloadRedacted;
    }

    /**
     * Whether the payload is stored encrypted for a data subject ({@code AppendOptions.subject}). While the
     * subject's key exists, {@link #payload()} is the decrypted plaintext; once the subject is forgotten,
     * {@link #payloadRedacted()} is true and the payload is empty.
     */
    public boolean payloadEncrypted() {
        return payloadEncrypted;
    }

    /** A copy of the stored payload bytes (empty when redacted). */
    public byte[] payload() {
        return payload.clone();
    }

    /** Length of the stored payload in bytes. */
    public int payloadLength() {
        return payload.length;
    }

    /**
     * Decodes the payload with the store's Jackson CBOR mapper. When {@code type} is an {@link EventType} class the
     * read is typed: the event must be of that class's kind, and a payload stored with an older version is upcast
     * with the store's {@link Upcaster}s (see {@link EventTypeRegistry}).
     *
     * @throws PayloadUnavailableException when the payload was redacted or its subject forgotten
     * @throws PayloadEncodingException when the payload does not decode into {@code type}
     * @throws EventTypeMismatchException when {@code type} is the event type of another kind
     * @throws FutureVersionException when the payload version is newer than {@code type}'s
     * @throws MissingUpcasterException when an upcaster step to {@code type}'s version is not registered
     * @throws UpcastException when an upcaster step fails
     */
    public <T> T payloadAs(Class<T> type) {
        InvalidInputException.requireArgument(type, "type");
        if (payloadRedacted) {
            throw new PayloadUnavailableException(eventId, payloadEncrypted);
        }
        return codec.decodeEvent(kind, payloadVersion, payload, type);
    }

    /**
     * This event with its payload erased (as a redacted event reads): same header, digest and hashes, an empty
     * payload and {@link #payloadRedacted()} true. Returns this event when its payload is already erased.
     */
    public StoredEvent withoutPayload() {
        if (payloadRedacted) {
            return this;
        }
        return new StoredEvent(eventId, coordinate, kind, entitySequence, globalSequence, timestampMicros,
                correlationId, causationId, flags, payloadVersion, prevHash, eventHash, tags, payloadDigest, true,
                payloadEncrypted, new byte[0], codec);
    }

    /**
     * An unsigned receipt describing this event, equal to the one its append returned when the store does not sign
     * receipts. A store with signing keys returns signed receipts; {@code receiptOf(StoredEvent)} of the store gives
     * the signed one.
     */
    public AppendReceipt toReceipt() {
        return new AppendReceipt(eventId, coordinate, entitySequence, globalSequence, timestampMicros, eventHash);
    }

    @Override
    public String toString() {
        return "StoredEvent[" + eventId + " " + coordinate + " kind=" + kind + " seq=" + entitySequence
                + " global=" + globalSequence + (tags.isEmpty() ? "" : " tags=" + tags)
                + (payloadEncrypted ? " encrypted" : "")
                + (payloadRedacted ? " payload=redacted]" : " payload=" + payload.length + "B]");
    }
}
