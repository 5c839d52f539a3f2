package io.batpak.projections;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * Controls one running read model. Thread-safe.
 */
public interface ReadModelControl {
    /** The model. */
    ReadModel model();

    /** Its progress now. */
    ReadModelStatus status();

    /**
     * Stops after the batch being committed (if any); completes once stopped. Nothing committed is lost; a restart
     * resumes after the offset.
     */
    CompletionStage<Done> stop();

    /**
     * Completes when the model stops: normally after {@link #stop()} or the store's close, exceptionally with the
     * {@link ReadModelException} or {@link ProjectionStoreException} that stopped it.
     */
    CompletionStage<Done> done();

    /** Completes once the committed offset is at least {@code globalSequence} (or fails when the model stops first). */
    CompletionStage<Done> awaitOffset(long globalSequence);
}
