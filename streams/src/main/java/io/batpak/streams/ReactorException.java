package io.batpak.streams;

import io.batpak.core.error.StoreException;

/**
 * A reactor stopped because reacting to an event, or appending its reactions, failed. Names the reactor and the
 * source event; the cause is the reactor's exception or the typed append error. The reactor's checkpoint is at or
 * before the event, so running it again retries it.
 */
public final class ReactorException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final String reactorId;
    private final long globalSequence;

    public ReactorException(String reactorId, long globalSequence, Throwable cause) {
        super("reactor " + reactorId + " failed on the event at global sequence " + globalSequence + ": " + cause,
                cause);
        this.reactorId = reactorId;
        this.globalSequence = globalSequence;
    }

    public String reactorId() {
        return reactorId;
    }

    /** The source event it failed on. */
    public long globalSequence() {
        return globalSequence;
    }
}
