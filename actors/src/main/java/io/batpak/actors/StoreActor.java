package io.batpak.actors;

import io.batpak.core.error.StoreException;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;

/**
 * Front door for actor callers: turns {@link StoreCommand}s into calls on the store and sends the outcome to
 * {@code replyTo}. It only dispatches; appends go to the partitions and reads run here (they never wait for the
 * writer). Stops when the store closes.
 */
final class StoreActor {
    private StoreActor() {
    }

    static Behavior<StoreCommand> create(BatpakStore store) {
        // A command whose store call throws (a Get of a null id or of a damaged event: Get has no error reply)
        // must not stop the front door for every other caller; the failure is logged and the actor resumes.
        return Behaviors.supervise(receive(store)).onFailure(SupervisorStrategy.resume());
    }

    private static Behavior<StoreCommand> receive(BatpakStore store) {
        return Behaviors.receive((ctx, cmd) -> {
            if (cmd instanceof StoreCommand.Append a) {
                store.append(a.coordinate(), a.kind(), a.payload(), a.options()).whenComplete((r, e) ->
                        a.replyTo().tell(e == null ? StatusReply.success(r) : StatusReply.error(cause(e))));
            } else if (cmd instanceof StoreCommand.AppendTyped t) {
                store.appendTyped(t.coordinate(), t.event(), t.options()).whenComplete((r, e) ->
                        t.replyTo().tell(e == null ? StatusReply.success(r) : StatusReply.error(cause(e))));
            } else if (cmd instanceof StoreCommand.AppendBatch b) {
                store.appendBatch(b.requests()).whenComplete((r, e) ->
                        b.replyTo().tell(e == null ? StatusReply.success(r) : StatusReply.error(cause(e))));
            } else if (cmd instanceof StoreCommand.Get g) {
                g.replyTo().tell(store.get(g.eventId()));
            } else if (cmd instanceof StoreCommand.ReadEntity r) {
                try {
                    r.replyTo().tell(StatusReply.success(store.readEntity(r.entity(), r.fromSequence(), r.max())));
                } catch (StoreException e) {
                    r.replyTo().tell(StatusReply.error(e));
                }
            } else if (cmd instanceof StoreCommand.Query q) {
                try {
                    q.replyTo().tell(StatusReply.success(store.query(q.region(), q.afterGlobalSequence(), q.limit())));
                } catch (StoreException e) {
                    q.replyTo().tell(StatusReply.error(e));
                }
            } else if (cmd instanceof StoreCommand.GetStats s) {
                s.replyTo().tell(store.stats());
            } else if (cmd instanceof StoreCommand.Shutdown) {
                return Behaviors.stopped();
            }
            return Behaviors.same();
        });
    }

    private static Throwable cause(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
