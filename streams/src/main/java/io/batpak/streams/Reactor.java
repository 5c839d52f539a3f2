package io.batpak.streams;

import io.batpak.core.StoredEvent;
import java.util.List;

/**
 * Reacts to an event with zero or more new events ({@link BatpakStreams#runReactor}).
 *
 * <p>Must be deterministic: a restart replays events processed but not yet checkpointed, and each reaction is
 * appended with an idempotency key derived from (reactor id, source event id, reaction index), so the replayed
 * reaction is recognised and not stored twice. A replay producing a different reaction at the same index fails
 * the reactor with {@link io.batpak.core.error.IdempotencyConflictException} rather than storing a second version.
 * Called on a stream thread, one event at a time (with the default reactor parallelism of 1); it should not block.
 */
@FunctionalInterface
public interface Reactor {

    /**
     * The reactions to {@code event}, in the order to append them; empty for none.
     *
     * @throws Exception to stop the reactor; its control's {@code done()} fails with a {@link ReactorException}
     */
    List<Reaction> react(StoredEvent event) throws Exception;
}
