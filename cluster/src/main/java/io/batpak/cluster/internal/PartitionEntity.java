package io.batpak.cluster.internal;

import io.batpak.actors.BatpakStore;
import io.batpak.cluster.PartitionCountMismatchException;
import io.batpak.cluster.PartitionUnavailableException;
import io.batpak.cluster.internal.PartitionProtocol.Append;
import io.batpak.cluster.internal.PartitionProtocol.Appended;
import io.batpak.cluster.internal.PartitionProtocol.Command;
import io.batpak.cluster.internal.PartitionProtocol.Events;
import io.batpak.cluster.internal.PartitionProtocol.Failed;
import io.batpak.cluster.internal.PartitionProtocol.Get;
import io.batpak.cluster.internal.PartitionProtocol.LastEntitySequence;
import io.batpak.cluster.internal.PartitionProtocol.LastGlobalSequence;
import io.batpak.cluster.internal.PartitionProtocol.OpenStream;
import io.batpak.cluster.internal.PartitionProtocol.Query;
import io.batpak.cluster.internal.PartitionProtocol.ReadEntity;
import io.batpak.cluster.internal.PartitionProtocol.Reply;
import io.batpak.cluster.internal.PartitionProtocol.StreamOpened;
import io.batpak.cluster.internal.PartitionProtocol.Value;
import io.batpak.cluster.internal.PartitionProtocol.Verified;
import io.batpak.cluster.internal.PartitionProtocol.Verify;
import io.batpak.cluster.internal.Wire.WireAppend;
import io.batpak.cluster.internal.Wire.WireError;
import io.batpak.cluster.internal.Wire.WireEvent;
import io.batpak.cluster.internal.Wire.WireReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.StoredEvent;
import io.batpak.core.VerifyReport;
import io.batpak.core.error.StoreException;
import io.batpak.streams.BatpakStreams;
import io.batpak.streams.CursorSettings;
import io.batpak.streams.SubscriptionSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;

/**
 * The sharded entity of one partition, on the node holding its store. It checks each command's header, runs
 * appends through the store (their replies come when the store acknowledges, that is once durable), runs reads on
 * the store's I/O dispatcher, and opens remote streams as {@link org.apache.pekko.stream.SourceRef}s. An entity
 * started on a node that does not hold the partition (never by {@link PartitionAllocationStrategy}; at most in a
 * race) answers every command with {@link PartitionUnavailableException} and stops. Never blocks.
 */
public final class PartitionEntity extends AbstractBehavior<Command> {
    private final int partition;
    private final int partitions;
    private final BatpakStore store;
    private final Executor io;
    private final Materializer materializer;

    public static Behavior<Command> create(int partition, int partitions, IntFunction<BatpakStore> localStores) {
        return Behaviors.setup(ctx -> {
            BatpakStore store = localStores.apply(partition);
            if (store == null) {
                return notHere(partition, ctx.getSystem().address().toString());
            }
            return new PartitionEntity(ctx, partition, partitions, store);
        });
    }

    private static Behavior<Command> notHere(int partition, String node) {
        return Behaviors.receive(Command.class).onAnyMessage(c -> {
            replyTo(c).tell(new Failed(partition, WireError.of(new PartitionUnavailableException(partition,
                    "node " + node + " does not hold its data", false))));
            return Behaviors.stopped();
        }).build();
    }

    private PartitionEntity(ActorContext<Command> ctx, int partition, int partitions, BatpakStore store) {
        super(ctx);
        this.partition = partition;
        this.partitions = partitions;
        this.store = store;
        this.io = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(store.settings().ioDispatcher()));
        this.materializer = Materializer.matFromSystem(ctx.getSystem());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder().onAnyMessage(this::onCommand).build();
    }

    private Behavior<Command> onCommand(Command c) {
        ActorRef<Reply> replyTo = replyTo(c);
        StoreException refused = checkHeader(c.header());
        if (refused != null) {
            replyTo.tell(new Failed(partition, WireError.of(refused)));
            return this;
        }
        if (c instanceof Append a) {
            appendGroups(a.groups(), replyTo);
        } else if (c instanceof Get g) {
            read(replyTo, () -> new Events(partition,
                    store.get(Wire.id(g.eventId())).map(e -> List.of(WireEvent.of(e))).orElse(List.of())));
        } else if (c instanceof ReadEntity r) {
            read(replyTo, () -> new Events(partition,
                    Wire.events(store.readEntity(r.entity(), r.fromSequence(), r.max()))));
        } else if (c instanceof LastEntitySequence l) {
            read(replyTo, () -> new Value(partition, store.lastEntitySequence(l.entity())));
        } else if (c instanceof LastGlobalSequence) {
            replyTo.tell(new Value(partition, store.lastGlobalSequence()));
        } else if (c instanceof Query q) {
            read(replyTo, () -> new Events(partition,
                    Wire.events(store.query(q.region().toRegion(), q.afterGlobalSequence(), q.limit()))));
        } else if (c instanceof Verify) {
            read(replyTo, () -> {
                VerifyReport r = store.verify();
                return new Verified(partition, r.throughGlobalSequence(), r.events(), r.entities(), r.segments(),
                        r.bytes(), r.breakage().map(Object::toString).orElse(null));
            });
        } else if (c instanceof OpenStream o) {
            openStream(o, replyTo);
        }
        return this;
    }

    private StoreException checkHeader(PartitionProtocol.Header h) {
        if (h == null) {
            return new StoreException("a command without a header");
        }
        if (h.protocol() != PartitionProtocol.PROTOCOL) {
            return new StoreException("protocol version " + h.protocol() + " is not supported by node "
                    + getContext().getSystem().address() + " (it speaks version " + PartitionProtocol.PROTOCOL + ")");
        }
        if (h.partitions() != partitions) {
            return new PartitionCountMismatchException("the sending node", partitions, h.partitions());
        }
        if (h.partition() != partition) {
            return new StoreException("a command for partition " + h.partition() + " reached partition " + partition);
        }
        return null;
    }

    /**
     * Starts every group's append here, in order, on this actor's thread (so the store keeps their order), and
     * answers once all are settled, each with its own outcome.
     */
    private void appendGroups(List<PartitionProtocol.AppendGroup> groups, ActorRef<Reply> replyTo) {
        List<CompletableFuture<PartitionProtocol.GroupOutcome>> outcomes = new ArrayList<>(groups.size());
        for (PartitionProtocol.AppendGroup g : groups) {
            outcomes.add(append(g.items()).handle((receipts, e) -> {
                if (e != null) {
                    return new PartitionProtocol.GroupOutcome(null, WireError.of(e));
                }
                List<WireReceipt> out = new ArrayList<>(receipts.size());
                for (var r : receipts) {
                    out.add(WireReceipt.of(r));
                }
                return new PartitionProtocol.GroupOutcome(out, null);
            }).toCompletableFuture());
        }
        CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            List<PartitionProtocol.GroupOutcome> all = new ArrayList<>(outcomes.size());
            for (CompletableFuture<PartitionProtocol.GroupOutcome> o : outcomes) {
                all.add(o.join());
            }
            replyTo.tell(new Appended(partition, all));
        });
    }

    private CompletionStage<List<io.batpak.core.AppendReceipt>> append(List<WireAppend> items) {
        List<AppendRequest> requests = new ArrayList<>(items.size());
        try {
            for (WireAppend w : items) {
                requests.add(w.toRequest());
            }
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (requests.size() == 1) {
            return store.append(requests.get(0)).thenApply(List::of);
        }
        return store.appendBatch(requests);
    }

    private void read(ActorRef<Reply> replyTo, Supplier<Reply> read) {
        reply(replyTo, CompletableFuture.supplyAsync(read, io));
    }

    private void reply(ActorRef<Reply> replyTo, CompletionStage<? extends Reply> result) {
        result.whenComplete((r, e) -> replyTo.tell(e == null ? r : new Failed(partition, WireError.of(e))));
    }

    private void openStream(OpenStream o, ActorRef<Reply> replyTo) {
        Source<StoredEvent, ?> events;
        try {
            io.batpak.core.Region region = o.region().toRegion();
            if (o.subscription()) {
                events = BatpakStreams.subscribe(store, region,
                        SubscriptionSettings.create(getContext().getSystem()).withBufferSize(o.bufferSize()));
            } else {
                CursorSettings s = CursorSettings.create(getContext().getSystem());
                s = o.afterGlobalSequence() < 0 ? s.fromBeginning() : s.afterSequence(o.afterGlobalSequence());
                events = BatpakStreams.cursor(store, region, s.withCompleteAtHead(!o.live()));
            }
        } catch (StoreException e) {
            replyTo.tell(new Failed(partition, WireError.of(e)));
            return;
        }
        int batch = Math.max(1, o.batch());
        // Batches form only while the remote consumer has not pulled: a live event is sent as soon as it is asked for.
        Source<Wire.WireEvents, NotUsed> wire = events.map(WireEvent::of)
                .batch(batch, first -> {
                    List<WireEvent> l = new ArrayList<>();
                    l.add(first);
                    return l;
                }, (l, e) -> {
                    l.add(e);
                    return l;
                })
                .map(Wire.WireEvents::new)
                .mapMaterializedValue(m -> NotUsed.getInstance());
        replyTo.tell(new StreamOpened(partition, wire.runWith(StreamRefs.sourceRef(), materializer)));
    }

    static ActorRef<Reply> replyTo(Command c) {
        return c.replyTo();
    }
}
