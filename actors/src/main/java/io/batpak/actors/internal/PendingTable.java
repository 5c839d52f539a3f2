package io.batpak.actors.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The appends awaiting their outcome, so a store failure or the timeout sweep can reach them. Adding and removing
 * one is on every append's path, so it is a slot in an open-addressed array (claimed by compare-and-set at a
 * scrambled position, freed by its owner) rather than a map entry: no boxing, no shared counter, and concurrent
 * appends rarely touch the same cache line. An append that finds no free slot within {@link #MAX_PROBES} goes to
 * an overflow map (only when far more appends are in flight than the table was sized for). Thread-safe.
 */
final class PendingTable {
    /** Slots tried from an append's position before it goes to the overflow map. */
    private static final int MAX_PROBES = 8;
    /** The table holds at most this many slots; beyond, appends share the overflow map. */
    private static final int MAX_SLOTS = 1 << 14;

    private final AtomicReferenceArray<PendingAppend<?>> slots;
    private final int mask;
    private final ConcurrentHashMap<Long, PendingAppend<?>> overflow = new ConcurrentHashMap<>();

    /** A table for about {@code expectedInFlight} appends at a time (twice as many slots, within the limit). */
    PendingTable(int expectedInFlight) {
        int want = (int) Math.min(MAX_SLOTS, Math.max(16L, 2L * expectedInFlight));
        int size = Integer.highestOneBit(want - 1) << 1;
        this.slots = new AtomicReferenceArray<>(size);
        this.mask = size - 1;
    }

    /** Adds {@code p} under {@code id}, unique per append; its slots are those probed from the id's position. */
    void add(long id, PendingAppend<?> p) {
        int start = start(id);
        for (int i = 0; i < MAX_PROBES; i++) {
            int at = (start + i) & mask;
            if (slots.get(at) == null && slots.compareAndSet(at, null, p)) {
                return;
            }
        }
        overflow.put(id, p);
    }

    /** Removes {@code p}, added under {@code id}; found by identity among the slots it could have taken. */
    void remove(long id, PendingAppend<?> p) {
        int start = start(id);
        for (int i = 0; i < MAX_PROBES; i++) {
            int at = (start + i) & mask;
            if (slots.get(at) == p) {
                slots.set(at, null);
                return;
            }
        }
        overflow.remove(id, p);
    }

    /** Scrambled so that appends in flight together (consecutive ids) land on different cache lines. */
    private int start(long id) {
        return (int) ((id * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }

    /** Calls {@code action} for each append in the table; appends added or removed meanwhile may be missed. */
    void forEach(Consumer<PendingAppend<?>> action) {
        for (int i = 0; i < slots.length(); i++) {
            PendingAppend<?> p = slots.get(i);
            if (p != null) {
                action.accept(p);
            }
        }
        overflow.values().forEach(action);
    }

    int count() {
        int[] n = {0};
        forEach(p -> n[0]++);
        return n[0];
    }
}
