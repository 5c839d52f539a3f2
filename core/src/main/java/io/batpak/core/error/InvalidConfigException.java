package io.batpak.core.error;

/** A configuration value is out of range or inconsistent; the message names the setting. */
public final class InvalidConfigException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    public InvalidConfigException(String setting, String problem) {
        super(setting, "invalid configuration " + setting + ": " + problem);
    }

    /** Like {@link #InvalidConfigException(String, String)}, with the error that showed the value was bad. */
    public InvalidConfigException(String setting, String problem, Throwable cause) {
        super(setting, "invalid configuration " + setting + ": " + problem, cause);
    }
}
