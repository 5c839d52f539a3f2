package io.batpak.streams;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/** A running reactor. Thread-safe. */
public interface ReactorControl {

    /** The reactor's id (its checkpoint is {@code reactor.<id>}). */
    String reactorId();

    /** The reactor's cursor: position and committed checkpoint. */
    CursorControl cursor();

    /**
     * Stops the reactor: no further event is read; reactions in flight finish and the checkpoint is committed up to
     * the last source event whose reactions are stored.
     *
     * @return completes as {@link #done()} does
     */
    CompletionStage<Done> stop();

    /**
     * Completes when the reactor has stopped and its last commit is durable: normally after {@link #stop()} or when
     * the store closes, exceptionally with {@link ReactorException} when reacting or appending failed, or with the
     * checkpoint's typed error when it could not be read or written.
     */
    CompletionStage<Done> done();
}
