package io.batpak.core.error;

import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.Gate;

/**
 * A {@link Gate} denied an append (or an item of an atomic batch, which fails the whole batch). Nothing of the
 * append was stored; with {@code batpak.gates.record-denials} on, a {@link EventKind#SYSTEM_DENIAL} event recording
 * the denial was appended to the entity.
 */
public final class GateDeniedException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final String gate;
    private final String code;
    private final String denialMessage;
    private final Coordinate coordinate;
    private final EventKind kind;
    private final int batchItem;

    public GateDeniedException(String gate, String code, String denialMessage, Coordinate coordinate, EventKind kind,
                               int batchItem) {
        super((batchItem >= 0 ? "batch item " + batchItem + ": " : "") + "append to " + coordinate + " of kind "
                + kind + " denied by gate \"" + gate + "\": " + code
                + (denialMessage == null || denialMessage.isEmpty() ? "" : ": " + denialMessage));
        this.gate = gate;
        this.code = code;
        this.denialMessage = denialMessage == null ? "" : denialMessage;
        this.coordinate = coordinate;
        this.kind = kind;
        this.batchItem = batchItem;
    }

    /** The name of the gate that denied. */
    public String gate() {
        return gate;
    }

    /** The gate's denial code ({@link Gate#DEFECT_CODE} when the gate threw). */
    public String code() {
        return code;
    }

    /** The gate's denial message. */
    public String denialMessage() {
        return denialMessage;
    }

    public Coordinate coordinate() {
        return coordinate;
    }

    public EventKind kind() {
        return kind;
    }

    /** The position of the denied item in its batch, -1 for a single append. */
    public int batchItem() {
        return batchItem;
    }

    /** {@link Category#CONFLICT}. */
    @Override
    public Category category() {
        return Category.CONFLICT;
    }
}
