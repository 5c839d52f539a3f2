package io.batpak.actors;

import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.Region;
import io.batpak.core.StoreStats;
import io.batpak.core.StoredEvent;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * The store's typed protocol for actor callers ({@link BatpakStore#ref()}). Each command carries the
 * {@code replyTo} its answer goes to; the semantics (ordering, durability, errors) are those of the
 * {@link BatpakStore} method of the same name. Append failures arrive as {@link StatusReply#error} carrying the
 * typed {@link io.batpak.core.error.StoreException}. Commands are local-only (not serializable).
 */
public sealed interface StoreCommand {

    /** {@link BatpakStore#append(Coordinate, EventKind, Object, AppendOptions)}. */
    record Append(Coordinate coordinate, EventKind kind, Object payload, AppendOptions options,
                  ActorRef<StatusReply<AppendReceipt>> replyTo) implements StoreCommand {
    }

    /** {@link BatpakStore#appendTyped(Coordinate, Object, AppendOptions)}. */
    record AppendTyped(Coordinate coordinate, Object event, AppendOptions options,
                       ActorRef<StatusReply<AppendReceipt>> replyTo) implements StoreCommand {
    }

    /** {@link BatpakStore#appendBatch(List)}. */
    record AppendBatch(List<AppendRequest> requests, ActorRef<StatusReply<List<AppendReceipt>>> replyTo)
            implements StoreCommand {
    }

    /** {@link BatpakStore#get(EventId)}. */
    record Get(EventId eventId, ActorRef<Optional<StoredEvent>> replyTo) implements StoreCommand {
    }

    /** {@link BatpakStore#readEntity(String, long, int)}. */
    record ReadEntity(String entity, long fromSequence, int max, ActorRef<StatusReply<List<StoredEvent>>> replyTo)
            implements StoreCommand {
    }

    /** {@link BatpakStore#query(Region, long, int)}. */
    record Query(Region region, long afterGlobalSequence, int limit, ActorRef<StatusReply<List<StoredEvent>>> replyTo)
            implements StoreCommand {
    }

    /** {@link BatpakStore#stats()}. */
    record GetStats(ActorRef<StoreStats> replyTo) implements StoreCommand {
    }

    /** Internal: sent by {@link BatpakStore#close()} to stop the front door. */
    enum Shutdown implements StoreCommand { INSTANCE }
}
