package io.batpak.core;

import io.batpak.core.error.InvalidInputException;


/** A {@link Gate}'s decision: permit, or a denial with a code and a message. Immutable and thread-safe. */
public final class GateVerdict {
    private static final GateVerdict PERMIT = new GateVerdict(null, null);

    private final String code;
    private final String message;

    private GateVerdict(String code, String message) {
        this.code = code;
        this.message = message;
    }

    /** Lets the append through (to the next gate, then to the writer). */
    public static GateVerdict permit() {
        return PERMIT;
    }

    /**
     * Refuses the append.
     *
     * @param code a short machine-readable reason, e.g. {@code "LIMIT_EXCEEDED"}; not blank
     * @param message a human-readable explanation (may be empty; null means empty)
     */
    public static GateVerdict deny(String code, String message) {
        InvalidInputException.requireArgument(code, "code");
        if (code.isBlank()) {
            throw new InvalidInputException("code", "invalid argument code: a denial code must not be blank");
        }
        return new GateVerdict(code, message == null ? "" : message);
    }

    public boolean permitted() {
        return code == null;
    }

    /** The denial code, null for a permit. */
    public String code() {
        return code;
    }

    /** The denial message, null for a permit. */
    public String message() {
        return message;
    }

    @Override
    public String toString() {
        return permitted() ? "permit" : "deny[" + code + ": " + message + "]";
    }
}
