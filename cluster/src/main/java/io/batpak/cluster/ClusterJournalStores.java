package io.batpak.cluster;

import io.batpak.actors.BatpakStore;
import io.batpak.persistence.JournalStores;
import java.util.ArrayList;
import java.util.Collection;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Pekko Persistence in cluster mode: the batpak journal ({@code batpak.persistence.journal}) writes each
 * persistence id into the store of its entity's partition on this node. Enable it on every node with
 * {@code batpak.persistence.journal-stores = "io.batpak.cluster.ClusterJournalStores"}, and run the
 * {@code EventSourcedBehavior}s sharded with {@link BatpakCluster#persistentEntity}, so that each entity runs on the
 * node owning its partition and its writes stay local. A write or replay of an entity whose partition is owned by
 * another node fails with {@link PartitionUnavailableException} (nothing is written): it never lands in the wrong
 * partition. Created by {@link io.batpak.persistence.BatpakPersistence}; thread-safe.
 */
public final class ClusterJournalStores implements JournalStores {
    private final BatpakCluster cluster;

    public ClusterJournalStores(ActorSystem<?> system) {
        this.cluster = BatpakCluster.get(system);
    }

    @Override
    public BatpakStore storeFor(String entity) {
        int p = cluster.partitionOf(entity);
        return cluster.localStore(p).orElseThrow(() -> new PartitionUnavailableException(p, "entity \"" + entity
                + "\" belongs to it and this node does not own it (owner: "
                + cluster.ownerOf(p).map(Object::toString).orElse("none announced")
                + "); run persistent entities with BatpakCluster.persistentEntity so that they live on their"
                + " partition's node", false));
    }

    @Override
    public Collection<BatpakStore> stores() {
        Collection<BatpakStore> out = new ArrayList<>();
        for (int p : cluster.localPartitions()) {
            cluster.localStore(p).ifPresent(out::add);
        }
        return out;
    }
}
