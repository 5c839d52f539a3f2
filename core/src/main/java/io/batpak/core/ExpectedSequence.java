package io.batpak.core;

import io.batpak.core.error.InvalidAppendException;
import io.batpak.core.error.SequenceMismatchException;

/**
 * The optimistic-concurrency condition of an append, checked against the entity's last sequence (including
 * appends accepted before it but not yet acknowledged, so concurrent conditional appends on one entity have
 * exactly one winner per sequence).
 *
 * <ul>
 *   <li>{@link #ANY}: no condition (the default).</li>
 *   <li>{@link #NO_STREAM}: the entity has no event yet.</li>
 *   <li>{@link #STREAM_EXISTS}: the entity has at least one event.</li>
 *   <li>{@link #exact(long)}: the entity's last event has entity sequence {@code n}.</li>
 * </ul>
 * A failed condition fails the append with {@link SequenceMismatchException}. Immutable and thread-safe.
 */
public final class ExpectedSequence implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private static final long ANY_CODE = -1;
    private static final long NO_STREAM_CODE = -2;
    private static final long EXISTS_CODE = -3;

    public static final ExpectedSequence ANY = new ExpectedSequence(ANY_CODE);
    public static final ExpectedSequence NO_STREAM = new ExpectedSequence(NO_STREAM_CODE);
    public static final ExpectedSequence STREAM_EXISTS = new ExpectedSequence(EXISTS_CODE);

    private final long code;

    private ExpectedSequence(long code) {
        this.code = code;
    }

    /**
     * The entity's last event must have entity sequence {@code n} (so the new event gets {@code n + 1}).
     *
     * @throws InvalidAppendException when {@code n < 0} (use {@link #NO_STREAM} for an empty entity)
     */
    public static ExpectedSequence exact(long n) {
        if (n < 0) {
            throw new InvalidAppendException("expected sequence must be >= 0 (use NO_STREAM for an empty entity), was " + n);
        }
        return new ExpectedSequence(n);
    }

    /**
     * Whether the condition holds for an entity whose last sequence is {@code lastSequence} (-1 when empty).
     */
    public boolean matches(long lastSequence) {
        if (code == ANY_CODE) {
            return true;
        }
        if (code == NO_STREAM_CODE) {
            return lastSequence < 0;
        }
        if (code == EXISTS_CODE) {
            return lastSequence >= 0;
        }
        return lastSequence == code;
    }

    public boolean isAny() {
        return code == ANY_CODE;
    }

    /** The exact sequence for {@link #exact(long)} conditions, -1 otherwise. */
    public long exactValue() {
        return code >= 0 ? code : -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExpectedSequence e && e.code == code;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(code);
    }

    @Override
    public String toString() {
        if (code == ANY_CODE) {
            return "ANY";
        }
        if (code == NO_STREAM_CODE) {
            return "NO_STREAM";
        }
        if (code == EXISTS_CODE) {
            return "STREAM_EXISTS";
        }
        return "exact(" + code + ")";
    }
}
