package io.batpak.core.index;

import io.batpak.core.Hash;

/**
 * One entity's durable state in the index: its posting list (global sequences of its events in entity-sequence
 * order, so position i holds entity sequence i) and the eventHash of its last event. Written only by the
 * index's single writer thread; read by any thread (publication through the volatile fields).
 */
public final class EntityState {
    private static final int INITIAL_CAPACITY = 4;

    private final int id;
    private final String name;
    private volatile int[] postings;
    private volatile int count;
    private volatile byte[] lastHash = new byte[Hash.LENGTH];

    EntityState(int id, String name, int capacity) {
        this.id = id;
        this.name = name;
        this.postings = new int[Math.max(INITIAL_CAPACITY, capacity)];
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    /** Events appended to the index for this entity (visible or about to be published). */
    public int count() {
        return count;
    }

    /** Global sequence of the entity's event with entity sequence {@code sequence}. */
    public int globalSequenceAt(int sequence) {
        return postings[sequence];
    }

    /** A copy of the eventHash of the entity's last event, zeros when it has none. */
    public byte[] lastHash() {
        return lastHash.clone();
    }

    /** The eventHash of the last event without copying it; callers must not modify it. */
    public byte[] lastHashRef() {
        return lastHash;
    }

    void append(int globalSequence, byte[] eventHash) {
        int n = count;
        int[] p = postings;
        if (n == p.length) {
            int[] grown = new int[Math.max(INITIAL_CAPACITY, n + (n >> 1))];
            System.arraycopy(p, 0, grown, 0, n);
            postings = grown;
            p = grown;
        }
        p[n] = globalSequence;
        if (eventHash != null) {
            lastHash = eventHash;
        }
        count = n + 1;
    }

    void restoreLastHash(byte[] eventHash) {
        lastHash = eventHash;
    }
}
