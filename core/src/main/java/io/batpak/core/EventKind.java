package io.batpak.core;

import io.batpak.core.error.InvalidEventKindException;
import io.batpak.core.error.ReservedKindException;

/**
 * A 16-bit event kind: the upper 4 bits are the category, the lower 12 bits the type.
 *
 * <p>Categories {@code 0x0} (system) and {@code 0xD} (effects) are reserved for the store; appending a user event
 * with one of them fails with {@link ReservedKindException}. Immutable and thread-safe.
 */
public final class EventKind implements Comparable<EventKind>, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** Largest category value (4 bits). */
    public static final int MAX_CATEGORY = 0xF;
    /** Largest type value (12 bits). */
    public static final int MAX_TYPE = 0xFFF;
    /** The store's system category. */
    public static final int SYSTEM_CATEGORY = 0x0;
    /** The store's effects category. */
    public static final int EFFECT_CATEGORY = 0xD;
    /**
     * A gate denial recorded by the store on the denied append's entity (when {@code batpak.gates.record-denials}
     * is on); its payload is a {@link GateDenial}. Only the store writes it.
     */
    public static final EventKind SYSTEM_DENIAL = new EventKind((short) 0x000F);
    /**
     * The record of a redaction ({@code BatpakStore.redact}): which events lost their payloads and why. Its payload is
     * a {@link RedactionRecord}; it is appended to the entity {@link RedactionRecord#ENTITY}. Only the store writes it.
     */
    public static final EventKind SYSTEM_REDACTION = new EventKind((short) 0x0010);
    /**
     * The provenance of an imported batch ({@code BatpakStore.importFrom}): its payload is an {@link ImportRecord};
     * it is appended to the entity {@link ImportRecord#ENTITY} in the same atomic batch as the imported events. Only
     * the store writes it.
     */
    public static final EventKind SYSTEM_IMPORT = new EventKind((short) 0x0011);

    private final short raw;

    private EventKind(short raw) {
        this.raw = raw;
    }

    /**
     * Builds a kind from a category (0..15) and a type (0..4095).
     *
     * @throws InvalidEventKindException when either is out of range
     */
    public static EventKind of(int category, int type) {
        if (category < 0 || category > MAX_CATEGORY) {
            throw new InvalidEventKindException("event kind category " + category + " is out of range 0..15");
        }
        if (type < 0 || type > MAX_TYPE) {
            throw new InvalidEventKindException("event kind type " + type + " is out of range 0..4095");
        }
        return new EventKind((short) ((category << 12) | type));
    }

    /** Rebuilds a kind from its 16-bit value as stored on disk. */
    public static EventKind fromRaw(int raw) {
        if (raw < 0 || raw > 0xFFFF) {
            throw new InvalidEventKindException("raw event kind " + raw + " is out of range 0..0xFFFF");
        }
        return new EventKind((short) raw);
    }

    /** The 16-bit value, {@code (category << 12) | type}. */
    public int raw() {
        return raw & 0xFFFF;
    }

    public int category() {
        return (raw & 0xFFFF) >>> 12;
    }

    public int type() {
        return raw & 0xFFF;
    }

    /** True for the system (0x0) and effects (0xD) categories. */
    public boolean isReserved() {
        int c = category();
        return c == SYSTEM_CATEGORY || c == EFFECT_CATEGORY;
    }

    @Override
    public int compareTo(EventKind o) {
        return Integer.compare(raw(), o.raw());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventKind k && k.raw == raw;
    }

    @Override
    public int hashCode() {
        return raw;
    }

    /** {@code 0xCTTT}. */
    @Override
    public String toString() {
        return String.format("0x%04X", raw());
    }
}
