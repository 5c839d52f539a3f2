package io.batpak.core.error;

/**
 * Bad input to a public method of batpak: a {@code null} where a value is required, a number outside its
 * documented range, or a value that breaks a format rule. It is thrown (or completes a returned stage) before
 * anything is stored or changed, so the call can be corrected and retried. {@link #parameter()} names what was
 * wrong: a parameter, or a configuration path such as {@code batpak.partitions}.
 *
 * <p>The rule for the whole public API: every parameter is required unless its Javadoc says what {@code null}
 * means; a method refuses a missing or out-of-range argument with this exception or one of its subclasses
 * ({@link InvalidCoordinateException}, {@link InvalidRegionException}, {@link InvalidConfigException}, ...), never
 * with a {@link NullPointerException}, an {@link IllegalArgumentException} or by silently using a default.
 */
public class InvalidInputException extends StoreException {
    private static final long serialVersionUID = 1L;

    private final String parameter;

    /**
     * @param parameter the parameter or setting that was wrong
     * @param message the whole message, naming it and the rule broken
     */
    public InvalidInputException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    /** Like {@link #InvalidInputException(String, String)}, with the error that showed the input was bad. */
    public InvalidInputException(String parameter, String message, Throwable cause) {
        super(message, cause);
        this.parameter = parameter;
    }

    /** Refusal of a missing required argument. */
    public static InvalidInputException missing(String parameter) {
        return new InvalidInputException(parameter, "invalid argument " + parameter + ": must not be null");
    }

    /** Refusal of an argument outside its range. */
    public static InvalidInputException outOfRange(String parameter, long value, long min, long max) {
        return new InvalidInputException(parameter, "invalid argument " + parameter + ": must be in " + min + ".."
                + max + ", was " + value);
    }

    /** The parameter or setting that was wrong. */
    public String parameter() {
        return parameter;
    }

    /**
     * Returns {@code value}, or throws {@link #missing} when it is null. The one null check of the public API.
     */
    public static <T> T requireArgument(T value, String parameter) {
        if (value == null) {
            throw missing(parameter);
        }
        return value;
    }

    /** Returns {@code value} when it is in {@code [min, max]}, else throws {@link #outOfRange}. */
    public static long requireRange(long value, long min, long max, String parameter) {
        if (value < min || value > max) {
            throw outOfRange(parameter, value, min, max);
        }
        return value;
    }

    /** {@link Category#INVALID_INPUT}. */
    @Override
    public Category category() {
        return Category.INVALID_INPUT;
    }
}
