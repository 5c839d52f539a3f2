package io.batpak.actors;

import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.EncodedEvent;
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
 * {@code replyTo} its answer goes to, and every command is answered exactly once with a {@link StatusReply}: the
 * result, or an error carrying the typed {@link io.batpak.core.error.StoreException} (bad arguments, such as a
 * null id, come back as {@link io.batpak.core.error.InvalidInputException}). The semantics (ordering, durability,
 * errors) are those of the {@link BatpakStore} method of the same name.
 *
 * <p>Commands carry plain data only (coordinates, kinds, ids, options and payloads as bytes with their payload
 * version; no futures or functions), so a serializer can carry them between nodes. A typed event is sent as the
 * bytes {@link BatpakStore#encode} makes of it. Nothing in this protocol stops or closes the store; only
 * {@link BatpakStore#close()} does.
 */
public sealed interface StoreCommand {

    /** {@link BatpakStore#append(Coordinate, EventKind, Object, AppendOptions)} of an encoded payload. */
    record Append(Coordinate coordinate, EventKind kind, byte[] payload, int payloadVersion, AppendOptions options,
                  ActorRef<StatusReply<AppendReceipt>> replyTo) implements StoreCommand {

        /** An append of raw bytes (payload version 0). */
        public Append(Coordinate coordinate, EventKind kind, byte[] payload, AppendOptions options,
                      ActorRef<StatusReply<AppendReceipt>> replyTo) {
            this(coordinate, kind, payload, 0, options, replyTo);
        }

        /** An append of an event encoded with {@link BatpakStore#encode}. */
        public static Append of(Coordinate coordinate, EncodedEvent event, AppendOptions options,
                                ActorRef<StatusReply<AppendReceipt>> replyTo) {
            return new Append(coordinate, event == null ? null : event.kind(), event == null ? null : event.payload(),
                    event == null ? 0 : event.payloadVersion(), options, replyTo);
        }
    }

    /** One item of an {@link AppendBatch}. */
    record BatchItem(Coordinate coordinate, EventKind kind, byte[] payload, int payloadVersion, AppendOptions options) {
    }

    /** {@link BatpakStore#appendBatch(List)}: every item is stored, or none is. */
    record AppendBatch(List<BatchItem> items, ActorRef<StatusReply<List<AppendReceipt>>> replyTo)
            implements StoreCommand {
    }

    /** {@link BatpakStore#get(EventId)}. */
    record Get(EventId eventId, ActorRef<StatusReply<Optional<StoredEvent>>> replyTo) implements StoreCommand {
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
    record GetStats(ActorRef<StatusReply<StoreStats>> replyTo) implements StoreCommand {
    }
}
