package io.batpak.core.internal.journal;

import io.batpak.core.AppendCondition;
import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.Hash;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.internal.index.IdempotencyIndex;
import io.batpak.core.ReceiptSigner;
import io.batpak.core.Region;
import java.util.List;

/**
 * An encoded event on its way to the journal: the unplaced frame and the fields the index and the receipt need.
 * The journal writer assigns {@link #globalSequence()} when it stages the event. Owned by one thread at a time
 * (handed from an entity partition to the writer through a message).
 */
public final class PendingEvent {
    final byte[] frame;
    final Coordinate coordinate;
    final EventId eventId;
    final long entitySequence;
    final long timestampMicros;
    final byte[] eventHash;
    final int kind;
    final IdempotencyKey idempotencyKey;
    final String scope;
    final List<String> tags;
    final AppendCondition condition;
    long globalSequence = -1;
    long location;
    IdempotencyIndex.Holder claim;
    /** Signs the receipt; set by the writer when it stages the event. */
    ReceiptSigner signer;
    private AppendReceipt receipt;

    public PendingEvent(byte[] frame, Coordinate coordinate, EventId eventId, long entitySequence, long timestampMicros,
                        byte[] eventHash, int kind, IdempotencyKey idempotencyKey) {
        this(frame, coordinate, eventId, entitySequence, timestampMicros, eventHash, kind, idempotencyKey, List.of(),
                null);
    }

    /**
     * @param tags the event's tags (validated), indexed at commit
     * @param condition checked by the writer right before the event's group is sequenced, or null
     */
    public PendingEvent(byte[] frame, Coordinate coordinate, EventId eventId, long entitySequence, long timestampMicros,
                        byte[] eventHash, int kind, IdempotencyKey idempotencyKey, List<String> tags,
                        AppendCondition condition) {
        this.scope = coordinate.scope();
        this.tags = tags;
        this.condition = condition;
        this.frame = frame;
        this.coordinate = coordinate;
        this.eventId = eventId;
        this.entitySequence = entitySequence;
        this.timestampMicros = timestampMicros;
        this.eventHash = eventHash;
        this.kind = kind;
        this.idempotencyKey = idempotencyKey;
    }

    public int frameLength() {
        return frame.length;
    }

    public byte[] frame() {
        return frame;
    }

    public Coordinate coordinate() {
        return coordinate;
    }

    public EventId eventId() {
        return eventId;
    }

    public long entitySequence() {
        return entitySequence;
    }

    public long timestampMicros() {
        return timestampMicros;
    }

    public int kind() {
        return kind;
    }

    /** The raw eventHash bytes (not copied). */
    public byte[] eventHashBytes() {
        return eventHash;
    }

    public List<String> tags() {
        return tags;
    }

    /** The append condition this event's group must pass, or null. */
    public AppendCondition condition() {
        return condition;
    }

    /** Whether this event is in {@code region}. */
    public boolean matches(Region region) {
        return region.matches(coordinate.entity(), scope, kind, entitySequence, tags);
    }

    /** The first of {@code regions} this event is in, or null. */
    public Region firstMatch(List<Region> regions) {
        for (Region r : regions) {
            if (matches(r)) {
                return r;
            }
        }
        return null;
    }

    public IdempotencyKey idempotencyKey() {
        return idempotencyKey;
    }

    /** The assigned global sequence, -1 before staging. */
    public long globalSequence() {
        return globalSequence;
    }

    /** The idempotency claim object released when the event's key was committed, or null. */
    public IdempotencyIndex.Holder claim() {
        return claim;
    }

    /**
     * The receipt; valid once the event is committed. Signed here, on the first call, when the store has a signing
     * key: the writer never signs, receipts are built on the thread that completes the replies.
     */
    public AppendReceipt receipt() {
        AppendReceipt r = receipt;
        if (r == null) {
            r = new AppendReceipt(eventId, coordinate, entitySequence, globalSequence, timestampMicros, Hash.of(eventHash));
            if (signer != null) {
                r = signer.sign(r);
            }
            receipt = r;
        }
        return r;
    }
}
