package io.batpak.core;

import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.PayloadEncodingException;
import io.batpak.core.error.StoreException;


/**
 * What a {@link Gate} sees of a proposed append: the coordinate, kind, encoded payload, payload version and
 * options, and the head of the entity it would extend (its last entity sequence and eventHash, including appends
 * accepted before it and, in a batch, the batch's earlier items on the entity). Not thread-safe to mutate; the
 * payload is exposed as a copy.
 */
public final class GateProposal {
    private final Coordinate coordinate;
    private final EventKind kind;
    private final byte[] payload;
    private final int payloadVersion;
    private final AppendOptions options;
    private final long entityLastSequence;
    private final Hash entityLastHash;
    private final int batchItem;
    private final PayloadCodec codec;

    /**
     * @param payload the encoded payload (not copied)
     * @param entityLastSequence the entity's last sequence, -1 when it has no event
     * @param entityLastHash the entity's last eventHash, {@link Hash#ZERO} when it has no event
     * @param batchItem the position of the item in its atomic batch, -1 for a single append
     * @param codec decodes the payload for {@link #payloadAs}
     */
    public GateProposal(Coordinate coordinate, EventKind kind, byte[] payload, int payloadVersion,
                        AppendOptions options, long entityLastSequence, Hash entityLastHash, int batchItem,
                        PayloadCodec codec) {
        this.coordinate = InvalidInputException.requireArgument(coordinate, "coordinate");
        this.kind = InvalidInputException.requireArgument(kind, "kind");
        this.payload = InvalidInputException.requireArgument(payload, "payload");
        this.payloadVersion = payloadVersion;
        this.options = InvalidInputException.requireArgument(options, "options");
        this.entityLastSequence = entityLastSequence;
        this.entityLastHash = InvalidInputException.requireArgument(entityLastHash, "entityLastHash");
        this.batchItem = batchItem;
        this.codec = InvalidInputException.requireArgument(codec, "codec");
    }

    public Coordinate coordinate() {
        return coordinate;
    }

    public EventKind kind() {
        return kind;
    }

    /** A copy of the encoded payload. */
    public byte[] payload() {
        return payload.clone();
    }

    public int payloadLength() {
        return payload.length;
    }

    /** The schema version the append states: the {@link EventType} version of a typed append, else 0. */
    public int payloadVersion() {
        return payloadVersion;
    }

    /**
     * Decodes the payload like {@link StoredEvent#payloadAs(Class)} would once stored.
     *
     * @throws StoreException (a {@link PayloadEncodingException} or a typed-read error) when it does not decode
     */
    public <T> T payloadAs(Class<T> type) {
        InvalidInputException.requireArgument(type, "type");
        return codec.decodeEvent(kind, payloadVersion, payload, type);
    }

    public AppendOptions options() {
        return options;
    }

    /** The entity's last sequence before this append, -1 when it has no event. */
    public long entityLastSequence() {
        return entityLastSequence;
    }

    /** The eventHash this append would chain to, {@link Hash#ZERO} when the entity has no event. */
    public Hash entityLastHash() {
        return entityLastHash;
    }

    /** The entity sequence this append would get. */
    public long entitySequence() {
        return entityLastSequence + 1;
    }

    /** The position of the item in its atomic batch, -1 for a single append. */
    public int batchItem() {
        return batchItem;
    }

    @Override
    public String toString() {
        return "GateProposal[" + coordinate + " kind=" + kind + " v" + payloadVersion + " payload=" + payload.length
                + "B seq=" + entitySequence() + (batchItem >= 0 ? " batchItem=" + batchItem : "") + "]";
    }
}
