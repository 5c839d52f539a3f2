package io.batpak.core;

/** A {@link Region} was given an invalid filter (bad category, inverted sequence range, bad name). */
public final class InvalidRegionException extends StoreException {
    private static final long serialVersionUID = 1L;

    public InvalidRegionException(String message) {
        super(message);
    }
}
