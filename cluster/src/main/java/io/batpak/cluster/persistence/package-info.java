/**
 * Pekko Persistence over the cluster store: {@link io.batpak.cluster.persistence.ClusterReadJournal}, the read
 * journal that serves {@code eventsByTag} across every partition with {@link io.batpak.cluster.persistence.ClusterOffset}
 * offsets. The journal itself is batpak-persistence's, with {@link io.batpak.cluster.ClusterJournalStores}.
 */
package io.batpak.cluster.persistence;
