package io.batpak.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.actors.BatpakStore;
import io.batpak.actors.ChildJvm;
import io.batpak.cluster.internal.ClusterLayout;
import io.batpak.core.EventId;
import io.batpak.core.StoreConfig;
import io.batpak.core.VerifyReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes in three JVMs on loopback, appending to every partition; one is killed with SIGKILL while appends
 * run and then started again on the same port and directory. Afterwards every partition is opened directly: every
 * acknowledged event is there, entity sequences have no gap, and verify() is clean.
 */
class ChildJvmClusterTest {
    private static final int PARTITIONS = 6;
    private static final int BASE_PORT = 25651;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path root;

    private final List<String> acks = new ArrayList<>();
    private final Map<String, Integer> failures = new HashMap<>();

    private ChildJvm start(int node) throws Exception {
        String seeds = IntStream.range(0, 3).mapToObj(i -> String.valueOf(BASE_PORT + i))
                .collect(Collectors.joining(","));
        String owned = IntStream.range(0, PARTITIONS).filter(p -> p % 3 == node).mapToObj(String::valueOf)
                .collect(Collectors.joining(","));
        return ChildJvm.start(List.of("-Xmx384m"), ClusterNodeApp.class,
                root.resolve("node-" + node + "-" + System.nanoTime() + ".log"),
                root.resolve("node-" + node).toString(), String.valueOf(BASE_PORT + node), seeds,
                String.valueOf(PARTITIONS), owned, "n" + node);
    }

    /** Takes every line printed so far, and waits until {@code more} further acknowledgements came in. */
    private void collect(ChildJvm[] nodes, int more, String what) throws InterruptedException {
        int target = acks.size() + more;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (acks.size() < target) {
            boolean any = false;
            for (ChildJvm n : nodes) {
                if (n == null) {
                    continue;
                }
                String line = n.poll(Duration.ofMillis(5));
                if (line != null && !line.equals(ChildJvm.EOF)) {
                    any = true;
                    take(line);
                }
            }
            if (!any && System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + ": " + acks.size() + "/" + target
                        + " acknowledgements, failures " + failures);
            }
        }
    }

    private void take(String line) {
        if (line.startsWith("ACK ")) {
            acks.add(line);
        } else if (line.startsWith("FAIL ")) {
            failures.merge(line.substring(line.lastIndexOf(' ') + 1), 1, Integer::sum);
        }
    }

    private void drainUntil(ChildJvm n, String marker) throws InterruptedException {
        List<String> skipped = new ArrayList<>();
        n.awaitLine(marker::equals, WAIT, skipped);
        skipped.forEach(this::take);
    }

    @Test
    void aNodeKilledWhileAppendsRunLosesNoAcknowledgedEventAndEveryChainVerifies() throws Exception {
        ChildJvm[] nodes = new ChildJvm[3];
        try {
            for (int i = 0; i < 3; i++) {
                nodes[i] = start(i);
            }
            for (ChildJvm n : nodes) {
                n.awaitLine("READY"::equals, WAIT, null);
            }
            collect(nodes, 600, "appends before the kill");

            nodes[2].kill(WAIT);
            // Its last complete lines are acknowledgements too.
            String line;
            while ((line = nodes[2].poll(Duration.ofMillis(1))) != null && !line.equals(ChildJvm.EOF)) {
                take(line);
            }
            nodes[2].close();
            ChildJvm[] survivors = {nodes[0], nodes[1], null};
            collect(survivors, 600, "appends while node 2 is away");
            int unavailableBefore = failures.getOrDefault("PartitionUnavailableException", 0);
            while (failures.getOrDefault("PartitionUnavailableException", 0) == unavailableBefore) {
                collect(survivors, 1, "appends to node 2's partitions failing");
            }

            nodes[2] = start(2);
            drainUntil(nodes[2], "READY");
            int before = acks.size();
            collect(nodes, 900, "appends after the restart");
            assertTrue(acks.subList(before, acks.size()).stream().anyMatch(a -> ownedBy2(a.split(" ")[2])),
                    "node 2's partitions take appends again");

            for (ChildJvm n : nodes) {
                n.send("stop");
            }
            for (ChildJvm n : nodes) {
                drainUntil(n, "STOPPED");
                while ((line = n.poll(Duration.ofSeconds(30))) != null && !line.equals(ChildJvm.EOF)) {
                    take(line);
                }
            }
        } finally {
            for (ChildJvm n : nodes) {
                if (n != null) {
                    n.close();
                }
            }
        }

        Map<String, Long> highest = new HashMap<>();
        Map<Integer, BatpakStore> stores = new HashMap<>();
        try {
            for (int p = 0; p < PARTITIONS; p++) {
                Path dir = ClusterLayout.partitionDir(root.resolve("node-" + (p % 3)), p);
                stores.put(p, BatpakStore.open(StoreConfig.builder(dir).build()));
            }
            for (String ack : acks) {
                String[] f = ack.split(" ");
                String entity = f[2];
                BatpakStore store = stores.get(Partitioning.partitionOf(entity, PARTITIONS));
                assertTrue(store.get(EventId.parse(f[1])).isPresent(), "acknowledged " + ack + " is stored");
                highest.merge(entity, Long.parseLong(f[3]), Math::max);
            }
            for (Map.Entry<String, Long> e : highest.entrySet()) {
                BatpakStore store = stores.get(Partitioning.partitionOf(e.getKey(), PARTITIONS));
                long last = store.lastEntitySequence(e.getKey());
                assertTrue(last >= e.getValue(), e.getKey());
                assertEquals(last + 1, store.readEntity(e.getKey(), 0, 100_000).size(), "no gap in " + e.getKey());
            }
            for (BatpakStore s : stores.values()) {
                VerifyReport r = s.verify();
                assertTrue(r.ok(), r.toString());
            }
        } finally {
            stores.values().forEach(BatpakStore::close);
        }
        assertTrue(acks.size() >= 2100, "acknowledgements: " + acks.size());
    }

    private static boolean ownedBy2(String entity) {
        return Partitioning.partitionOf(entity, PARTITIONS) % 3 == 2;
    }
}
