package io.batpak.core;

import io.batpak.core.error.InvalidTagException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules for event tags. A tag is a business key an event can be found by ({@code customer:ada},
 * {@code sku:42}) besides its entity: 1 to {@value #MAX_TAG_BYTES} UTF-8 bytes, valid Unicode, no control
 * characters, and none of {@code / | =} or {@code ..} (the rules of a {@link Coordinate} part). An event carries 0
 * to {@value #MAX_TAGS} distinct tags, stored in its frame, covered by its hash, and returned in the order given.
 * Thread-safe (stateless).
 */
public final class Tags {
    /** Most tags one event can carry. */
    public static final int MAX_TAGS = 16;
    /** Most UTF-8 bytes of one tag. */
    public static final int MAX_TAG_BYTES = 256;

    private Tags() {
    }

    /**
     * Validates one tag.
     *
     * @throws InvalidTagException naming the tag and the broken rule
     */
    public static void validate(String tag) {
        String problem = problem(tag);
        if (problem != null) {
            throw new InvalidTagException(tag, problem);
        }
    }

    /** The rule {@code tag} breaks ({@code "must not be null"} for null), or null when it breaks none. */
    public static String problem(String tag) {
        return Coordinate.problem(tag, MAX_TAG_BYTES);
    }

    /**
     * Validates the tags of one event and returns them as an immutable list in the given order.
     *
     * @throws InvalidTagException when the array is null, has more than {@value #MAX_TAGS} tags, a tag is invalid
     *     or a tag repeats
     */
    public static List<String> of(String... tags) {
        if (tags == null) {
            throw new InvalidTagException(null, "the tag list must not be null");
        }
        return checked(tags.clone());
    }

    /** Like {@link #of(String...)} for a list. */
    public static List<String> of(List<String> tags) {
        if (tags == null) {
            throw new InvalidTagException(null, "the tag list must not be null");
        }
        return checked(tags.toArray(new String[0]));
    }

    private static List<String> checked(String[] tags) {
        if (tags.length > MAX_TAGS) {
            throw new InvalidTagException(null, "an event carries at most " + MAX_TAGS + " tags, got " + tags.length);
        }
        Set<String> seen = new HashSet<>();
        for (String t : tags) {
            validate(t);
            if (!seen.add(t)) {
                throw new InvalidTagException(t, "is given twice");
            }
        }
        return List.of(tags);
    }
}
