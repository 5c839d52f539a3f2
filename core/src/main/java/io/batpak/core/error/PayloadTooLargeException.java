package io.batpak.core.error;

/** An encoded payload exceeded the configured maximum ({@code batpak.max-payload-bytes}). */
public final class PayloadTooLargeException extends InvalidInputException {
    private static final long serialVersionUID = 1L;
    private final long size;
    private final long limit;

    public PayloadTooLargeException(long size, long limit) {
        super("payload", "payload of " + size + " bytes exceeds the limit of " + limit + " bytes (batpak.max-payload-bytes)");
        this.size = size;
        this.limit = limit;
    }

    public long size() {
        return size;
    }

    public long limit() {
        return limit;
    }
}
