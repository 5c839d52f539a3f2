package io.batpak.actors.internal;

/**
 * Called by each of a store's actors before it handles a message: a test hook that makes an actor fail (by
 * throwing) at a chosen point, to prove that the store's guardian turns any actor's failure into the failed state.
 * {@link #NONE} in production.
 */
@FunctionalInterface
public interface ActorFaultHook {
    /** Does nothing. */
    ActorFaultHook NONE = (actor, message) -> { };

    /**
     * @param actor the actor's role: {@code writer}, {@code partition-N}, {@code fanout}, {@code front-door} or
     *     {@code batch-N}
     * @param message the message about to be handled
     */
    void beforeMessage(String actor, Object message);

    /** Called by a partition for each write it has just queued at the writer ({@code message} is the write). */
    default void afterMessage(String actor, Object message) {
    }
}
