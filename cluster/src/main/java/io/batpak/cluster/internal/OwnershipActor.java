package io.batpak.cluster.internal;

import java.util.Set;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Announces the partitions this node owns in a replicated map (Pekko Distributed Data) and keeps the
 * {@link OwnershipDirectory} up to date with every node's announcements. An owner announces on every start, so
 * the map is rebuilt whenever the whole cluster restarts; the source of truth is each node's layout record.
 * Local only.
 */
public final class OwnershipActor extends AbstractBehavior<OwnershipActor.Command> {
    /** The replicated map: partition number to {@code "<owner address>|<partition count>"}. */
    public static final LWWMapKey<String, String> KEY = new LWWMapKey<>("batpak-partition-owners");

    public sealed interface Command extends NoSerializationVerificationNeeded {
    }

    record Changed(Replicator.SubscribeResponse<LWWMap<String, String>> response) implements Command {
    }

    record Announced(Replicator.UpdateResponse<LWWMap<String, String>> response) implements Command {
    }

    private final OwnershipDirectory directory;
    private final ReplicatorMessageAdapter<Command, LWWMap<String, String>> replicator;

    public static Behavior<Command> create(OwnershipDirectory directory, Set<Integer> owned) {
        return Behaviors.setup(ctx -> DistributedData.withReplicatorMessageAdapter(
                (ReplicatorMessageAdapter<Command, LWWMap<String, String>> adapter) ->
                        new OwnershipActor(ctx, adapter, directory, owned)));
    }

    private OwnershipActor(ActorContext<Command> ctx, ReplicatorMessageAdapter<Command, LWWMap<String, String>> adapter,
                           OwnershipDirectory directory, Set<Integer> owned) {
        super(ctx);
        this.directory = directory;
        this.replicator = adapter;
        adapter.subscribe(KEY, Changed::new);
        if (!owned.isEmpty()) {
            SelfUniqueAddress self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
            String entry = OwnershipDirectory.entry(Cluster.get(ctx.getSystem()).selfMember().address(),
                    directory.partitions());
            adapter.askUpdate(replyTo -> new Replicator.Update<>(KEY, LWWMap.create(), Replicator.writeLocal(),
                    replyTo, map -> {
                        LWWMap<String, String> m = map;
                        for (int p : owned) {
                            m = m.put(self, String.valueOf(p), entry);
                        }
                        return m;
                    }), Announced::new);
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Changed.class, this::onChanged)
                .onMessage(Announced.class, this::onAnnounced)
                .build();
    }

    private Behavior<Command> onChanged(Changed c) {
        if (c.response() instanceof Replicator.Changed<LWWMap<String, String>> changed) {
            directory.update(changed.get(KEY).getEntries());
        }
        return this;
    }

    private Behavior<Command> onAnnounced(Announced a) {
        if (!(a.response() instanceof Replicator.UpdateSuccess)) {
            getContext().getLog().error("announcing this node's partitions failed: {}", a.response());
        }
        return this;
    }
}
