package io.batpak.persistence;

import io.batpak.actors.BatpakStore;
import java.util.Collection;

/**
 * Where the journal finds the store of each persistence id, when it is not the one store in
 * {@code batpak.persistence.dir}. Name an implementation in {@code batpak.persistence.journal-stores}; it is
 * created once per ActorSystem with a public constructor taking the typed {@code ActorSystem<?>}. For example
 * batpak-cluster's {@code io.batpak.cluster.ClusterJournalStores} gives the local store of each entity's partition.
 * The stores are owned by the implementation: {@link BatpakPersistence} does not close them. Thread-safe.
 */
public interface JournalStores {
    /**
     * The store holding the events of batpak entity {@code entity} (see {@link BatpakPersistence#entityOf}).
     *
     * @throws io.batpak.core.error.StoreException when this node cannot write that entity (the write or replay
     *         fails with it)
     */
    BatpakStore storeFor(String entity);

    /** Every store this node holds. */
    Collection<BatpakStore> stores();
}
