package io.batpak.actors;

import io.batpak.core.internal.journal.PendingEvent;

/**
 * How the writer reports the outcome of one atomic group (a single append or a batch). Both methods are called
 * exactly once in total, on the writer's thread; implementations must only hand off (never block).
 */
interface GroupReply {
    /** Every event of the group is committed and visible; receipts are available from the events. */
    void committed(PendingEvent[] events);

    /** Nothing of the group was stored. */
    void failed(Throwable error);
}
