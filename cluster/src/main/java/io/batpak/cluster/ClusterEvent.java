package io.batpak.cluster;

import io.batpak.core.StoredEvent;

/**
 * An event of a cluster-wide stream: the partition it came from, the event (its global sequence is that
 * partition's), and, for a cursor or replay, the position vector right after it, which is what a checkpoint stores.
 * Events of a (lossy) subscription have no position: {@code position} is null.
 */
public record ClusterEvent(int partition, StoredEvent event, ClusterPosition position) {
}
