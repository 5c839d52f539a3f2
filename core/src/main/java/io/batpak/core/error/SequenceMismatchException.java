package io.batpak.core.error;

import io.batpak.core.ExpectedSequence;

/**
 * An append's {@link ExpectedSequence} did not hold. {@link #actual()} is the entity sequence of the entity's
 * last event at the time of the check, or -1 when the entity had no event.
 */
public final class SequenceMismatchException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final String entity;
    private final ExpectedSequence expected;
    private final long actual;

    public SequenceMismatchException(String entity, ExpectedSequence expected, long actual) {
        super("sequence mismatch on entity \"" + entity + "\": expected " + expected + ", actual last sequence "
                + (actual < 0 ? "none (no event)" : Long.toString(actual)));
        this.entity = entity;
        this.expected = expected;
        this.actual = actual;
    }

    public String entity() {
        return entity;
    }

    public ExpectedSequence expected() {
        return expected;
    }

    /** The entity's last sequence when the check ran, -1 when it had no event. */
    public long actual() {
        return actual;
    }

    /** {@link Category#CONFLICT}. */
    @Override
    public Category category() {
        return Category.CONFLICT;
    }
}
