package io.batpak.cluster;

import static io.batpak.cluster.ClusterNodes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.cluster.persistence.ClusterOffset;
import io.batpak.cluster.persistence.ClusterReadJournal;
import io.batpak.persistence.BatpakPersistence;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.NoOffset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/**
 * Sharded EventSourcedBehaviors on three nodes persisting through the batpak journal in cluster mode: each entity
 * runs on its partition's owner and writes there; after a node restart every acknowledged persist is recovered; a
 * read journal on any node serves eventsByTag across all partitions with position-vector offsets.
 */
class PersistenceClusterTest extends ClusterTestBase {
    private static final int PARTITIONS = 6;
    private static final int ENTITIES = 30;
    private static final EntityTypeKey<Counter.Command> KEY = EntityTypeKey.create(Counter.Command.class, "Counter");
    private static final Duration ASK = Duration.ofSeconds(30);


    private static void initSharding(ActorSystem<?> system) {
        ClusterSharding.get(system).init(BatpakCluster.get(system).persistentEntity(KEY,
                ctx -> Counter.create(PersistenceId.of(KEY.name(), ctx.getEntityId()))));
    }

    private static long add(ActorSystem<?> from, String id, int amount) {
        return await(ClusterSharding.get(from).entityRefFor(KEY, id)
                .<Long>ask(replyTo -> new Counter.Add(amount, replyTo), ASK));
    }

    private static long get(ActorSystem<?> from, String id) {
        return await(ClusterSharding.get(from).entityRefFor(KEY, id).<Long>ask(Counter.Get::new, ASK));
    }

    @Test
    void shardedPersistentEntitiesWriteToTheirPartitionAndRecoverEveryAcknowledgedPersistAfterARestart() {
        nodes = new ClusterNodes(root, 25661, 3, PARTITIONS).withConfig(String.join("\n",
                "pekko.persistence.journal.plugin = \"batpak.persistence.journal\"",
                "batpak.persistence.journal-stores = \"io.batpak.cluster.ClusterJournalStores\"",
                "batpak.persistence.dir = \"$DIR/pekko\""));
        nodes.startAll();
        for (int n = 0; n < 3; n++) {
            initSharding(nodes.node(n));
        }
        Map<String, Long> expected = new HashMap<>();
        for (int i = 0; i < ENTITIES; i++) {
            String id = "c" + i;
            ActorSystem<?> from = nodes.node(i % 3);
            add(from, id, i + 1);
            expected.put(id, add(from, id, 1000));
            assertEquals(i + 1 + 1000L, expected.get(id));
        }
        // Each persistence id is in the store of its partition, on the node owning it.
        for (int i = 0; i < ENTITIES; i++) {
            String entity = BatpakPersistence.entityOf(PersistenceId.of(KEY.name(), "c" + i).id());
            int p = Partitioning.partitionOf(entity, PARTITIONS);
            assertEquals(1L, nodes.cluster(nodes.ownerNode(p)).localStore(p).orElseThrow().lastEntitySequence(entity),
                    "two events of " + entity + " in partition " + p);
        }

        // A persistence id whose partition is elsewhere is never written on this node.
        ClusterJournalStores stores = new ClusterJournalStores(nodes.node(0));
        int remote = nodes.ownedBy(1).get(0);
        String foreign = ThreeNodeClusterTest.entityIn(remote, 0);
        PartitionUnavailableException refused = org.junit.jupiter.api.Assertions.assertThrows(
                PartitionUnavailableException.class, () -> stores.storeFor(foreign));
        assertEquals(remote, refused.partition());
        assertEquals(nodes.ownedBy(0).size(), stores.stores().size());

        nodes.stop(2);
        nodes.start(2);
        initSharding(nodes.node(2));
        nodes.awaitUp();
        for (int i = 0; i < ENTITIES; i++) {
            String id = "c" + i;
            assertEquals(expected.get(id), get(nodes.node(i % 3 == 0 ? 1 : 0), id), "recovered " + id);
        }

        ClusterReadJournal journal = PersistenceQuery.get(nodes.node(1))
                .getReadJournalFor(ClusterReadJournal.class, ClusterReadJournal.IDENTIFIER);
        List<EventEnvelope> all = await(journal.currentEventsByTag(Counter.TAG, NoOffset.getInstance())
                .runWith(Sink.seq(), nodes.node(1)));
        assertEquals(2 * ENTITIES, all.size());
        Map<String, Long> lastSeq = new HashMap<>();
        for (EventEnvelope e : all) {
            long prev = lastSeq.getOrDefault(e.persistenceId(), 0L);
            assertEquals(prev + 1, e.sequenceNr(), "each persistence id in order: " + e);
            lastSeq.put(e.persistenceId(), e.sequenceNr());
            assertInstanceOf(Counter.Added.class, e.event());
        }
        assertEquals(ENTITIES, lastSeq.size());
        ClusterOffset half = assertInstanceOf(ClusterOffset.class, all.get(ENTITIES - 1).offset());
        List<EventEnvelope> rest = await(journal.currentEventsByTag(Counter.TAG, half).runWith(Sink.seq(), nodes.node(1)));
        assertEquals(ENTITIES, rest.size(), "resuming from an offset delivers exactly what came after it");
        for (EventEnvelope e : rest) {
            assertTrue(all.subList(ENTITIES, all.size()).stream().anyMatch(a -> a.persistenceId().equals(e.persistenceId())
                    && a.sequenceNr() == e.sequenceNr()), e.toString());
        }
    }
}
