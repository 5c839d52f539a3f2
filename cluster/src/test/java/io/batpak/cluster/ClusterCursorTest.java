package io.batpak.cluster;

import static io.batpak.cluster.ClusterNodes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.Region;
import io.batpak.core.error.CheckpointRegionMismatchException;
import io.batpak.core.error.CorruptCheckpointException;
import io.batpak.core.error.InvalidCheckpointIdException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/** Cluster-wide cursors with a durable position vector, cluster-wide queries and subscriptions, on two nodes. */
class ClusterCursorTest extends ClusterTestBase {
    private static final EventKind KIND = EventKind.of(1, 2);
    private static final int PARTITIONS = 4;


    private Set<EventId> appendAcross(BatpakCluster c, int count) {
        Set<EventId> ids = new HashSet<>();
        for (int i = 0; i < count; i++) {
            ids.add(await(c.append(Coordinate.of("item:" + i, "s"), KIND,
                    ("v" + i).getBytes(StandardCharsets.UTF_8))).eventId());
        }
        return ids;
    }

    @Test
    void aCommittedPositionVectorResumesExactlyAfterWhatWasCommitted() throws Exception {
        nodes = new ClusterNodes(root, 25641, 2, PARTITIONS);
        nodes.startAll();
        BatpakCluster c = nodes.cluster(0);
        Set<EventId> all = appendAcross(c, 40);
        Region region = Region.entity("item");

        List<ClusterEvent> first = await(c.committableCursor(region, "billing").take(15)
                .runWith(Sink.seq(), nodes.node(0)));
        ClusterPosition committed = first.get(first.size() - 1).position();
        await(c.commit("billing", region, committed));
        assertEquals(committed, c.checkpoint(region, "billing").orElseThrow());
        for (ClusterEvent e : first) {
            assertTrue(e.event().globalSequence() <= committed.get(e.partition()), "the vector covers " + e);
        }

        List<ClusterEvent> second = await(c.committableCursor(region, "billing").take(25)
                .runWith(Sink.seq(), nodes.node(0)));
        Set<EventId> seen = new HashSet<>();
        for (ClusterEvent e : first) {
            seen.add(e.event().eventId());
        }
        for (ClusterEvent e : second) {
            assertTrue(seen.add(e.event().eventId()), "no event after the commit is delivered twice: " + e);
            assertTrue(e.event().globalSequence() > committed.get(e.partition()));
        }
        assertEquals(all, seen, "the two runs together deliver every event");

        // A finite replay from the committed vector ends at the head, from either node.
        assertEquals(25, await(c.replay(region, committed).runWith(Sink.seq(), nodes.node(0))).size());
        assertEquals(25, await(nodes.cluster(1).replay(region, committed).runWith(Sink.seq(), nodes.node(1))).size());
        // Queries across partitions page with the same vectors.
        List<ClusterEvent> page = await(c.query(region, ClusterPosition.start(PARTITIONS), 40));
        assertEquals(40, page.size());
        assertEquals(await(c.head()), page.get(39).position());
    }

    @Test
    void aCheckpointOfAnotherRegionADamagedOneAndABadIdAreRefused() throws Exception {
        nodes = new ClusterNodes(root, 25645, 2, PARTITIONS);
        nodes.startAll();
        BatpakCluster c = nodes.cluster(1);
        await(c.commit("report", Region.entity("item"), ClusterPosition.of(1, 2, 3, 4)));
        assertThrows(CheckpointRegionMismatchException.class, () -> c.committableCursor(Region.entity("other"), "report"));
        Path file = nodes.dir(1).resolve("cursors").resolve("report.vector");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 6] ^= 1;
        Files.write(file, bytes);
        assertThrows(CorruptCheckpointException.class, () -> c.committableCursor(Region.entity("item"), "report"));
        assertThrows(InvalidCheckpointIdException.class, () -> c.committableCursor(Region.all(), "../escape"));
        Throwable wrongCount = ClusterNodes.failure(c.commit("report", Region.all(), ClusterPosition.of(1, 2)));
        assertTrue(wrongCount instanceof PartitionCountMismatchException, wrongCount.toString());
    }

    @Test
    void aSubscriptionSeesNewEventsOfLocalAndRemotePartitions() {
        nodes = new ClusterNodes(root, 25648, 2, PARTITIONS);
        nodes.startAll();
        BatpakCluster c = nodes.cluster(0);
        java.util.concurrent.ConcurrentLinkedQueue<ClusterEvent> got = new java.util.concurrent.ConcurrentLinkedQueue<>();
        org.apache.pekko.stream.UniqueKillSwitch live = c.subscribe(Region.entity("item"))
                .viaMat(org.apache.pekko.stream.KillSwitches.single(), Keep.right())
                .toMat(Sink.foreach(got::add), Keep.left()).run(nodes.node(0));
        // A subscription sees what becomes visible after it is registered on each owner: append until every
        // partition, local (0, 2) and remote (1, 3), has delivered.
        Set<EventId> appended = new HashSet<>();
        Set<Integer> partitions = new HashSet<>();
        for (int round = 0; round < 200 && partitions.size() < PARTITIONS; round++) {
            appended.addAll(appendAcross(nodes.cluster(1), 20));
            for (ClusterEvent e : got) {
                partitions.add(e.partition());
            }
        }
        live.shutdown();
        assertEquals(Set.of(0, 1, 2, 3), partitions);
        for (ClusterEvent e : got) {
            assertTrue(appended.contains(e.event().eventId()), "only appended events: " + e);
            assertEquals(Partitioning.partitionOf(e.event().coordinate().entity(), PARTITIONS), e.partition());
        }
        assertEquals(got.size(), new HashSet<>(got.stream().map(e -> e.event().eventId()).toList()).size(),
                "no event twice");
    }
}
