package io.batpak.core.error;

/**
 * A tag (or a list of tags) broke a validation rule: the message names the tag and the rule. Nothing was stored.
 */
public final class InvalidTagException extends InvalidInputException {
    private static final long serialVersionUID = 1L;
    private final String tag;
    private final String rule;

    public InvalidTagException(String tag, String rule) {
        super("tags", "invalid tag " + (tag == null ? "null" : "\"" + printable(tag) + "\"") + ": " + rule);
        this.tag = tag;
        this.rule = rule;
    }

    /** The offending tag (null when the tag itself was null or the problem is the whole list). */
    public String tag() {
        return tag;
    }

    /** The rule that was broken, e.g. {@code "must be at most 256 UTF-8 bytes (was 300)"}. */
    public String rule() {
        return rule;
    }

    private static String printable(String value) {
        String shown = value.length() > 64 ? value.substring(0, 64) + "..." : value;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            sb.append(c < 0x20 || c == 0x7F ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return sb.toString();
    }
}
