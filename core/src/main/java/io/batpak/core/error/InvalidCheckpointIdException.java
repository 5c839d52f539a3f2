package io.batpak.core.error;

/** Thrown when a cursor checkpoint id breaks the naming rule (1..128 of {@code [A-Za-z0-9._-]}, no leading dot). */
public final class InvalidCheckpointIdException extends InvalidInputException {
    private static final long serialVersionUID = 1L;
    private final String id;
    private final String reason;

    public InvalidCheckpointIdException(String id, String reason) {
        super("checkpointId", "invalid cursor checkpoint id " + quote(id) + ": " + reason);
        this.id = id;
        this.reason = reason;
    }

    /** The rejected id, possibly {@code null}. */
    public String id() {
        return id;
    }

    /** The rule that was broken, e.g. {@code "must not be empty"}. */
    public String reason() {
        return reason;
    }

    private static String quote(String value) {
        if (value == null) {
            return "null";
        }
        String shown = value.length() > 160 ? value.substring(0, 160) + "..." : value;
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
