package io.batpak.core.error;

import io.batpak.core.Region;

/** A {@link Region} was given an invalid filter (bad category, inverted sequence range, bad name). */
public final class InvalidRegionException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    public InvalidRegionException(String message) {
        super("region", message);
    }
}
