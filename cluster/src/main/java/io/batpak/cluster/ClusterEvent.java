package io.batpak.cluster;

import io.batpak.core.StoredEvent;

/**
 * An event of a cluster-wide cursor: the partition it came from, the event (its global sequence is that
 * partition's), and the cursor's position right after it, which is what a checkpoint stores.
 */
public record ClusterEvent(int partition, StoredEvent event, ClusterPosition position) {
}
