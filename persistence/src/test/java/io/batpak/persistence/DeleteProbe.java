package io.batpak.persistence;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.DeleteMessagesFailure;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;

/** Sends {@code DeleteMessagesTo} to the default journal and completes with its answer. */
final class DeleteProbe {
    private final PluginSystem sys;

    DeleteProbe(PluginSystem sys) {
        this.sys = sys;
    }

    CompletionStage<Long> deleteTo(String persistenceId, long toSequenceNr) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        ActorRef journal = Persistence.get(Adapter.toClassic(sys.system)).journalFor(null, com.typesafe.config.ConfigFactory.empty());
        ActorRef probe = ((org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(sys.system))
                .systemActorOf(Props.create(Answer.class, () -> new Answer(result)),
                        "delete-probe-" + java.util.UUID.randomUUID());
        journal.tell(new JournalProtocol.DeleteMessagesTo(persistenceId, toSequenceNr, probe), probe);
        return result;
    }

    static final class Answer extends AbstractActor {
        private final CompletableFuture<Long> result;

        Answer(CompletableFuture<Long> result) {
            this.result = result;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .match(DeleteMessagesSuccess.class, s -> {
                        result.complete(s.toSequenceNr());
                        getContext().stop(getSelf());
                    })
                    .match(DeleteMessagesFailure.class, f -> {
                        result.completeExceptionally(f.cause());
                        getContext().stop(getSelf());
                    })
                    .build();
        }
    }
}
