package io.batpak.projections;

import io.batpak.core.EventId;
import io.batpak.core.error.StoreException;

/**
 * A read model's handler threw: the batch's transaction was aborted (nothing of it is stored, the offset did not
 * move) and the model stopped. Names the model and the event; the handler's exception is the cause. Fix the handler
 * (or the data) and start the model again: it resumes with this event.
 */
public final class ReadModelException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final String model;
    private final long globalSequence;
    private final transient EventId eventId;

    public ReadModelException(String model, long globalSequence, EventId eventId, Throwable cause) {
        super("read model " + model + " failed on event " + eventId + " (global sequence " + globalSequence + "): "
                + cause, cause);
        this.model = model;
        this.globalSequence = globalSequence;
        this.eventId = eventId;
    }

    public String model() {
        return model;
    }

    public long globalSequence() {
        return globalSequence;
    }

    public EventId eventId() {
        return eventId;
    }

    /** {@link Category#FATAL}: the model cannot go on until its handler is fixed. */
    @Override
    public Category category() {
        return Category.FATAL;
    }
}
