package io.batpak.cluster.internal;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;

/**
 * This node's view of which node owns each partition, fed by {@link OwnershipActor} from the replicated map every
 * owner writes its partitions into. Each entry is {@code "<node address>|<partition count>"}. Thread-safe: read by
 * callers, the allocation strategy and the entities, written by the actor.
 */
public final class OwnershipDirectory {
    private final int partitions;
    private final AtomicReferenceArray<Address> owners;
    /** The first partition count of another node that disagreed with this one's, or 0. */
    private volatile int foreignCount;
    private volatile Address foreignNode;

    public OwnershipDirectory(int partitions) {
        this.partitions = partitions;
        this.owners = new AtomicReferenceArray<>(partitions);
    }

    static String entry(Address owner, int partitions) {
        return owner.toString() + "|" + partitions;
    }

    /** Records this node's own partitions before its announcement has gone round. */
    public void announceLocal(Address self, java.util.Set<Integer> owned) {
        for (int p : owned) {
            owners.set(p, self);
        }
    }

    /** Takes the replicated map's current content. */
    void update(Map<String, String> entries) {
        for (Map.Entry<String, String> e : entries.entrySet()) {
            int bar = e.getValue().lastIndexOf('|');
            if (bar < 0) {
                continue;
            }
            Address owner = AddressFromURIString.parse(e.getValue().substring(0, bar));
            int count = Integer.parseInt(e.getValue().substring(bar + 1));
            if (count != partitions) {
                if (foreignCount == 0) {
                    foreignNode = owner;
                    foreignCount = count;
                }
                continue;
            }
            int p = Integer.parseInt(e.getKey());
            if (p >= 0 && p < partitions) {
                owners.set(p, owner);
            }
        }
    }

    public int partitions() {
        return partitions;
    }

    /** The node holding {@code partition}'s data, once it has announced itself. */
    public Optional<Address> owner(int partition) {
        return Optional.ofNullable(owners.get(partition));
    }

    /** The partition count announced by a node that disagrees with this node's, or 0. */
    public int foreignCount() {
        return foreignCount;
    }

    public Address foreignNode() {
        return foreignNode;
    }
}
