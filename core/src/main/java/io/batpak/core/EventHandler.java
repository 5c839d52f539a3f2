package io.batpak.core;

/** Receives the events of an in-place replay ({@link StoreReader#replay(Region, long, EventHandler)}), one call each. */
@FunctionalInterface
public interface EventHandler {
    /**
     * Handles one event. The view is valid only during this call. An exception thrown here stops the replay and is
     * thrown to the replay's caller.
     */
    void onEvent(EventView event);
}
