package io.batpak.projections;

import io.batpak.core.StoredEvent;

/**
 * Applies one event to a read model's databases. Called in global-sequence order, on the environment's writer
 * thread, inside the batch's write transaction: whatever it writes is committed together with the model's offset
 * (so each event's effect is applied exactly once, across crashes), and a throw aborts the whole batch. It must
 * depend only on the event and on what it reads through {@code txn} (a batch may be run again after the map grew).
 */
@FunctionalInterface
public interface ReadModelHandler {
    void handle(StoredEvent event, ReadModelTransaction txn) throws Exception;
}
