package io.batpak.cluster;

import static io.batpak.cluster.ClusterNodes.await;
import static io.batpak.cluster.ClusterNodes.eventually;
import static io.batpak.cluster.ClusterNodes.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.ExpectedSequence;
import io.batpak.core.Region;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.SequenceMismatchException;
import io.batpak.core.error.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

class ThreeNodeClusterTest extends ClusterTestBase {
    private static final EventKind KIND = EventKind.of(1, 1);
    private static final int PARTITIONS = 6;


    /** An entity name of partition {@code p}, the {@code n}th found. */
    static String entityIn(int p, int n) {
        int found = 0;
        for (int i = 0; ; i++) {
            String e = "acct:" + p + "-" + i;
            if (Partitioning.partitionOf(e, PARTITIONS) == p && found++ == n) {
                return e;
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void appendsFromEveryNodeReachEveryPartitionAndOnlyItsOwnerStoresThem() {
        nodes = new ClusterNodes(root, 25611, 3, PARTITIONS);
        nodes.startAll();
        Map<String, List<AppendReceipt>> receipts = new HashMap<>();
        for (int from = 0; from < 3; from++) {
            BatpakCluster c = nodes.cluster(from);
            for (int p = 0; p < PARTITIONS; p++) {
                String entity = entityIn(p, 0);
                for (int i = 0; i < 5; i++) {
                    AppendReceipt r = await(c.append(Coordinate.of(entity, "s"), KIND,
                            bytes(entity + "/" + from + "/" + i)));
                    receipts.computeIfAbsent(entity, k -> new ArrayList<>()).add(r);
                }
            }
        }
        for (int p = 0; p < PARTITIONS; p++) {
            String entity = entityIn(p, 0);
            List<AppendReceipt> mine = receipts.get(entity);
            assertEquals(15, mine.size());
            for (int i = 0; i < mine.size(); i++) {
                assertEquals(i, mine.get(i).entitySequence(), "gap-free entity sequence");
                assertEquals(i, mine.get(i).globalSequence(), "partition " + p + " has its own global sequence");
            }
            // Only the owner holds the partition; every node reads it.
            int owner = nodes.ownerNode(p);
            assertTrue(nodes.cluster(owner).localStore(p).isPresent());
            assertEquals(14, nodes.cluster(owner).localStore(p).get().lastEntitySequence(entity));
            for (int n = 0; n < 3; n++) {
                if (n != owner) {
                    assertTrue(nodes.cluster(n).localStore(p).isEmpty());
                }
                List<StoredEvent> read = await(nodes.cluster(n).readEntity(entity, 0, 100));
                assertEquals(15, read.size());
                assertEquals(entity + "/2/4", new String(read.get(14).payload(), StandardCharsets.UTF_8));
                assertEquals(mine.get(14).eventHash(), read.get(14).eventHash());
                assertEquals(Optional.of(read.get(3).eventId()),
                        await(nodes.cluster(n).get(read.get(3).eventId())).map(StoredEvent::eventId));
            }
        }
        for (int p = 0; p < PARTITIONS; p++) {
            PartitionVerification v = await(nodes.cluster(0).verify(p));
            assertTrue(v.ok(), v.toString());
            assertEquals(15, v.events());
        }
        assertEquals(ClusterPosition.of(14, 14, 14, 14, 14, 14), await(nodes.cluster(1).head()));
    }

    @Test
    void batchesStayInOnePartitionAndErrorsArriveTyped() {
        nodes = new ClusterNodes(root, 25621, 3, PARTITIONS);
        nodes.startAll();
        BatpakCluster c = nodes.cluster(0);
        int remote = nodes.ownedBy(1).get(0);
        String a = entityIn(remote, 0);
        String b = entityIn(remote, 1);
        String other = entityIn(nodes.ownedBy(2).get(0), 0);

        Throwable refused = failure(c.appendBatch(List.of(
                AppendRequest.of(Coordinate.of(a, "s"), KIND, bytes("1")),
                AppendRequest.of(Coordinate.of(other, "s"), KIND, bytes("2")))));
        CrossPartitionBatchException cross = assertInstanceOf(CrossPartitionBatchException.class, refused);
        assertEquals(a, cross.firstEntity());
        assertEquals(other, cross.otherEntity());
        assertEquals(-1L, await(c.lastEntitySequence(a)), "nothing of the refused batch was stored");
        assertEquals(-1L, await(c.lastEntitySequence(other)));

        List<AppendReceipt> batch = await(c.appendBatch(List.of(
                AppendRequest.of(Coordinate.of(a, "s"), KIND, bytes("1")),
                AppendRequest.of(Coordinate.of(b, "s"), KIND, bytes("2")),
                AppendRequest.of(Coordinate.of(a, "s"), KIND, bytes("3")))));
        assertEquals(List.of(0L, 1L, 2L), batch.stream().map(AppendReceipt::globalSequence).toList());

        Throwable mismatch = failure(c.append(Coordinate.of(a, "s"), KIND, bytes("x"),
                AppendOptions.builder().expect(ExpectedSequence.exact(0)).build()));
        StoreException e = assertInstanceOf(StoreException.class, mismatch);
        assertEquals(StoreException.Category.CONFLICT, e.category(), e.toString());
        assertInstanceOf(SequenceMismatchException.class, e, "a condition failure travels as its own class");
        assertEquals(1L, await(c.lastEntitySequence(a)));

        Throwable reserved = failure(c.append(Coordinate.of(a, "s"), EventKind.SYSTEM_DENIAL, bytes("x")));
        assertEquals(StoreException.Category.INVALID_INPUT, ((StoreException) reserved).category());

        // Appends made without waiting travel together but keep their order, batches and failures included.
        String ordered = entityIn(remote, 2);
        List<java.util.concurrent.CompletableFuture<?>> pending = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            if (i == 300) {
                pending.add(c.appendBatch(List.of(AppendRequest.of(Coordinate.of(ordered, "s"), KIND, bytes("300")),
                        AppendRequest.of(Coordinate.of(ordered, "s"), KIND, bytes("301")))).toCompletableFuture());
                i++;
            } else if (i == 400) {
                pending.add(c.append(Coordinate.of(ordered, "s"), KIND, bytes("refused"), AppendOptions.builder()
                        .expect(ExpectedSequence.exact(0)).build()).toCompletableFuture());
                pending.add(c.append(Coordinate.of(ordered, "s"), KIND, bytes("400")).toCompletableFuture());
            } else {
                pending.add(c.append(Coordinate.of(ordered, "s"), KIND, bytes(String.valueOf(i))).toCompletableFuture());
            }
        }
        int failed = 0;
        for (java.util.concurrent.CompletableFuture<?> f : pending) {
            try {
                f.join();
            } catch (java.util.concurrent.CompletionException refusedAppend) {
                assertInstanceOf(SequenceMismatchException.class, refusedAppend.getCause());
                failed++;
            }
        }
        assertEquals(1, failed, "only the conditional append failed");
        List<String> stored = await(c.readEntity(ordered, 0, 1000)).stream()
                .map(ev -> new String(ev.payload(), StandardCharsets.UTF_8)).toList();
        assertEquals(600, stored.size());
        // Single appends keep their order; the atomic batch is stored whole, its two events adjacent (as in one
        // store, a batch and the appends made after it without waiting are not ordered with each other).
        assertEquals(stored.indexOf("300") + 1, stored.indexOf("301"));
        List<String> singles = new ArrayList<>(stored);
        singles.removeAll(List.of("300", "301"));
        for (int i = 0, n = 0; i < 600; i++) {
            if (i != 300 && i != 301) {
                assertEquals(String.valueOf(i), singles.get(n++), "order of single appends");
            }
        }
    }

    @Test
    void aNodeThatLeavesFailsItsPartitionsFastAndRemoteCursorsResumeWithoutGapOrDuplicate() {
        nodes = new ClusterNodes(root, 25631, 3, PARTITIONS);
        nodes.startAll();
        int p = nodes.ownedBy(2).get(0);
        int elsewhere = nodes.ownedBy(1).get(0);
        String entity = entityIn(p, 0);
        BatpakCluster client = nodes.cluster(0);

        ConcurrentLinkedQueue<StoredEvent> seen = new ConcurrentLinkedQueue<>();
        UniqueKillSwitch cursor = client.cursor(p, Region.all(), -1)
                .viaMat(KillSwitches.single(), Keep.right())
                .toMat(Sink.foreach(seen::add), Keep.left())
                .run(nodes.node(0));
        ConcurrentLinkedQueue<ClusterEvent> merged = new ConcurrentLinkedQueue<>();
        UniqueKillSwitch all = client.cursor(Region.all(), ClusterPosition.start(PARTITIONS))
                .viaMat(KillSwitches.single(), Keep.right())
                .toMat(Sink.foreach(merged::add), Keep.left())
                .run(nodes.node(0));

        List<AppendReceipt> acknowledged = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            acknowledged.add(await(client.append(Coordinate.of(entity, "s"), KIND, bytes("before-" + i))));
        }
        eventually("the remote cursor delivered the first 200", () -> seen.size() >= 200);

        nodes.stop(2);
        eventually("node 0 no longer sends to partition " + p, () -> !client.available(p));
        Throwable away = failure(client.append(Coordinate.of(entity, "s"), KIND, bytes("while-away")));
        PartitionUnavailableException unavailable = assertInstanceOf(PartitionUnavailableException.class, away);
        assertEquals(p, unavailable.partition());
        assertFalse(unavailable.outcomeUnknown(), "refused before anything was sent");
        assertEquals(StoreException.Category.RETRIABLE, unavailable.category());
        // The other partitions keep working.
        await(client.append(Coordinate.of(entityIn(elsewhere, 0), "s"), KIND, bytes("elsewhere")));

        nodes.start(2);
        nodes.awaitUp();
        await(client.whenAllAvailable(ClusterNodes.TIMEOUT));
        for (int i = 0; i < 200; i++) {
            acknowledged.add(await(client.append(Coordinate.of(entity, "s"), KIND, bytes("after-" + i))));
        }
        eventually("the cursor resumed and delivered all 400", () -> seen.size() >= 400);
        eventually("the merged cursor delivered every event", () -> merged.size() >= 401);
        cursor.shutdown();
        all.shutdown();

        List<StoredEvent> got = new ArrayList<>(seen);
        assertEquals(400, got.size(), "no duplicate");
        for (int i = 0; i < got.size(); i++) {
            assertEquals(i, got.get(i).globalSequence(), "no gap, in order");
            assertEquals(acknowledged.get(i).eventId(), got.get(i).eventId());
        }
        List<StoredEvent> stored = await(nodes.cluster(1).readEntity(entity, 0, 1000));
        assertEquals(400, stored.size(), "every acknowledged event is still there after the restart");
        assertTrue(await(nodes.cluster(1).verify(p)).ok());

        ClusterEvent last = null;
        Map<Integer, Long> perPartition = new HashMap<>();
        for (ClusterEvent e : merged) {
            long prev = perPartition.getOrDefault(e.partition(), -1L);
            assertEquals(prev + 1, e.event().globalSequence(), "per-partition order without gap or duplicate");
            perPartition.put(e.partition(), e.event().globalSequence());
            assertEquals(e.event().globalSequence(), e.position().get(e.partition()));
            last = e;
        }
        assertEquals(401, merged.size());
        assertEquals(399L, last.position().get(p) >= 0 ? perPartition.get(p) : -1L);
        assertEquals(0L, (long) perPartition.get(elsewhere));
    }
}
