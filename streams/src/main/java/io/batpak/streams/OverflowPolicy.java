package io.batpak.streams;

/** What a live subscription does with an event that arrives while its buffer is full. */
public enum OverflowPolicy {
    /** Drop the arriving event for this subscriber and count it ({@link Subscription#dropped()}); keep going. */
    DROP_NEWEST,
    /**
     * Fail the stream with {@link SubscriptionOverflowException} (elements already buffered are discarded), so
     * the consumer learns that it fell behind and can switch to a cursor.
     */
    FAIL;

    static OverflowPolicy parse(String setting, String value) {
        switch (value) {
            case "drop-newest":
                return DROP_NEWEST;
            case "fail":
                return FAIL;
            default:
                throw new io.batpak.core.error.InvalidConfigException(setting,
                        "must be drop-newest or fail, was \"" + value + "\"");
        }
    }
}
