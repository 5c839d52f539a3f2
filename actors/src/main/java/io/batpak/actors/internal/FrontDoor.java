package io.batpak.actors.internal;

import io.batpak.actors.BatpakStore;
import io.batpak.actors.StoreCommand;
import io.batpak.core.AppendRequest;
import io.batpak.core.error.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.pekko.pattern.StatusReply;

/**
 * The front door for actor callers ({@link BatpakStore#ref()}): turns each {@link StoreCommand} into a call on the
 * store and answers its {@code replyTo} with a {@link StatusReply}, the error being the typed store exception. It
 * only dispatches: appends go on to the partitions; reads run here, on the I/O dispatcher, and never wait for the
 * writer. A command with a null {@code replyTo} cannot be answered and is dropped with a warning.
 */
public final class FrontDoor extends AbstractBehavior<StoreCommand> {
    private static final Logger LOG = LoggerFactory.getLogger(FrontDoor.class);
    private final BatpakStore store;
    private final ActorFaultHook faults;

    public static Behavior<StoreCommand> create(BatpakStore store, ActorFaultHook faults) {
        return Behaviors.setup(ctx -> new FrontDoor(ctx, store, faults));
    }

    private FrontDoor(ActorContext<StoreCommand> ctx, BatpakStore store, ActorFaultHook faults) {
        super(ctx);
        this.store = store;
        this.faults = faults;
    }

    @Override
    public Receive<StoreCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(StoreCommand.Append.class, a -> {
                    faults.beforeMessage("front-door", a);
                    later(a.replyTo(), () -> store.appendEncoded(a.coordinate(), a.kind(), a.payload(),
                            a.payloadVersion(), a.options()));
                    return this;
                })
                .onMessage(StoreCommand.AppendBatch.class, b -> {
                    later(b.replyTo(), () -> store.appendBatch(requests(b.items())));
                    return this;
                })
                .onMessage(StoreCommand.Get.class, g -> now(g.replyTo(), () -> store.get(g.eventId())))
                .onMessage(StoreCommand.ReadEntity.class, r -> now(r.replyTo(),
                        () -> store.readEntity(r.entity(), r.fromSequence(), r.max())))
                .onMessage(StoreCommand.Query.class, q -> now(q.replyTo(),
                        () -> store.query(q.region(), q.afterGlobalSequence(), q.limit())))
                .onMessage(StoreCommand.GetStats.class, s -> now(s.replyTo(), store::stats))
                .build();
    }

    private static List<AppendRequest> requests(List<StoreCommand.BatchItem> items) {
        InvalidInputException.requireArgument(items, "items");
        List<AppendRequest> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            StoreCommand.BatchItem it = items.get(i);
            if (it == null) {
                throw new InvalidInputException("items", "batch item " + i + " is null");
            }
            out.add(AppendRequest.encoded(it.coordinate(), it.kind(), it.payload(), it.payloadVersion(), it.options()));
        }
        return out;
    }

    private <T> Behavior<StoreCommand> now(ActorRef<StatusReply<T>> replyTo, Supplier<T> call) {
        if (answerable(replyTo)) {
            StatusReply<T> reply;
            try {
                reply = StatusReply.success(call.get());
            } catch (RuntimeException e) {
                reply = StatusReply.error(e);
            }
            replyTo.tell(reply);
        }
        return this;
    }

    private <T> void later(ActorRef<StatusReply<T>> replyTo, Supplier<CompletionStage<T>> call) {
        if (!answerable(replyTo)) {
            return;
        }
        CompletionStage<T> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            replyTo.tell(StatusReply.error(e));
            return;
        }
        stage.whenComplete((r, e) -> replyTo.tell(e == null ? StatusReply.success(r) : StatusReply.error(cause(e))));
    }

    private boolean answerable(ActorRef<?> replyTo) {
        if (replyTo == null) {
            LOG.warn("a StoreCommand without replyTo cannot be answered and is dropped");
            return false;
        }
        return true;
    }

    private static Throwable cause(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
