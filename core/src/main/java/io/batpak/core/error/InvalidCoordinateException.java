package io.batpak.core.error;

import io.batpak.core.Coordinate;

/** A {@link Coordinate} component broke a validation rule; the message names the component and the rule. */
public final class InvalidCoordinateException extends InvalidInputException {
    private static final long serialVersionUID = 1L;
    private final String rule;

    public InvalidCoordinateException(String component, String value, String rule) {
        super(component, "invalid coordinate " + component + " " + quote(value) + ": " + rule);
        this.rule = rule;
    }

    /** The rule that was broken, e.g. {@code "must not be empty"}. */
    public String rule() {
        return rule;
    }

    private static String quote(String value) {
        if (value == null) {
            return "null";
        }
        String shown = value.length() > 64 ? value.substring(0, 64) + "..." : value;
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
