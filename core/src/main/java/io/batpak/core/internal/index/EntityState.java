package io.batpak.core.internal.index;

import io.batpak.core.Coordinate;
import io.batpak.core.Hash;

/**
 * One entity's durable state in the index: its posting list (global sequences of its events in entity-sequence
 * order, so position i holds entity sequence i) and the eventHash of its last event. Written only by the
 * index's single writer thread; read by any thread (publication through volatile fields).
 */
public final class EntityState {
    private final int id;
    private final String name;
    private final PostingList postings;
    private volatile byte[] lastHash = new byte[Hash.LENGTH];
    /**
     * The coordinate of the entity's last decoded event, kept so that a replay does not decode and validate the
     * same names for every event. Any thread may replace it; a reader sees null, an older or a newer coordinate,
     * each immutable and whole.
     */
    private Coordinate coordinate;

    EntityState(int id, String name, int capacity) {
        this.id = id;
        this.name = name;
        this.postings = new PostingList(capacity);
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    /** Events appended to the index for this entity (visible or about to be published). */
    public int count() {
        return postings.count();
    }

    /** Global sequence of the entity's event with entity sequence {@code sequence}. */
    public int globalSequenceAt(int sequence) {
        return postings.get(sequence);
    }

    /** The entity's events as global sequences; position = entity sequence. */
    public PostingList postings() {
        return postings;
    }

    /** A copy of the eventHash of the entity's last event, zeros when it has none. */
    public byte[] lastHash() {
        return lastHash.clone();
    }

    /** The eventHash of the last event without copying it; callers must not modify it. */
    public byte[] lastHashRef() {
        return lastHash;
    }

    /** The coordinate of this entity in {@code scope} (one of the index's interned scope names). Thread-safe. */
    public Coordinate coordinate(String scope) {
        Coordinate c = coordinate;
        if (c == null || !c.scope().equals(scope)) {
            c = new Coordinate(name, scope);
            coordinate = c;
        }
        return c;
    }

    void append(int globalSequence, byte[] eventHash) {
        if (eventHash != null) {
            lastHash = eventHash;
        }
        postings.append(globalSequence);
    }

    void restoreLastHash(byte[] eventHash) {
        lastHash = eventHash;
    }
}
