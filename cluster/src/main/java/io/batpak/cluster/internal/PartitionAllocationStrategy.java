package io.batpak.cluster.internal;

import io.batpak.cluster.PartitionUnavailableException;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.dispatch.Futures;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/**
 * Places each partition's shard on the region of the node holding its data, and nowhere else. Unlike
 * {@code ExternalShardAllocationStrategy}, which falls back to the requesting node when the desired one is absent,
 * a partition whose owner is unknown or not in the cluster is not allocated at all (the coordinator retries later),
 * so a partition is never started on an empty directory of another node. A shard found on the wrong region is
 * handed back by rebalancing once its owner's region is present.
 */
public final class PartitionAllocationStrategy extends ShardCoordinator.AbstractShardAllocationStrategy {
    private final OwnershipDirectory directory;
    private final Address selfAddress;

    public PartitionAllocationStrategy(OwnershipDirectory directory, Address selfAddress) {
        this.directory = directory;
        this.selfAddress = selfAddress;
    }

    @Override
    public Future<ActorRef> allocateShard(ActorRef requester, String shardId,
                                          Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
        int p = Integer.parseInt(shardId);
        Optional<Address> owner = directory.owner(p);
        if (owner.isEmpty()) {
            return Futures.failed(new PartitionUnavailableException(p, "no node has announced it yet", false));
        }
        ActorRef region = regionAt(owner.get(), currentShardAllocations.keySet());
        if (region == null) {
            return Futures.failed(new PartitionUnavailableException(p, "its owner " + owner.get()
                    + " has no sharding region in the cluster", false));
        }
        return Futures.successful(region);
    }

    @Override
    public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> currentShardAllocations,
                                         Set<String> rebalanceInProgress) {
        Set<String> misplaced = new HashSet<>();
        for (Map.Entry<ActorRef, IndexedSeq<String>> e : currentShardAllocations.entrySet()) {
            Address at = addressOf(e.getKey());
            scala.collection.Iterator<String> shards = e.getValue().iterator();
            while (shards.hasNext()) {
                String shard = shards.next();
                Optional<Address> owner = directory.owner(Integer.parseInt(shard));
                if (owner.isPresent() && !owner.get().equals(at) && !rebalanceInProgress.contains(shard)
                        && regionAt(owner.get(), currentShardAllocations.keySet()) != null) {
                    misplaced.add(shard);
                }
            }
        }
        return Futures.successful(misplaced);
    }

    private ActorRef regionAt(Address owner, Set<ActorRef> regions) {
        for (ActorRef r : regions) {
            if (addressOf(r).equals(owner)) {
                return r;
            }
        }
        return null;
    }

    private Address addressOf(ActorRef region) {
        Address a = region.path().address();
        return a.hasLocalScope() ? selfAddress : a;
    }
}
