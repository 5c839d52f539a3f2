package io.batpak.bench.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.batpak.cluster.BatpakCluster;
import io.batpak.cluster.Partitioning;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.Region;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CompletionStage;
import java.util.function.IntFunction;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The cluster store on loopback: appends/s with 3 nodes against 1 node (clients co-located with their partitions,
 * and clients appending to every partition), the latency of a remote append against a local one (and of a remote
 * read that touches no disk, to split network and serialization from the disk), and remote against local cursor
 * throughput. All nodes are ActorSystems of this JVM talking over Artery TCP on 127.0.0.1, so they share its
 * cores; every message is serialized (Jackson CBOR) as between machines.
 *
 * <pre>
 *   bench/run.sh cluster [--seconds S] [--warmup S] [--rounds N] [--in-flight N] [--latency-samples N]
 *                        [--cursor-events N] [--data DIR] [--out DIR]
 * </pre>
 */
public final class ClusterBench {
    private static final String SYSTEM = "batpak-cluster-bench";
    private static final int PARTITIONS = 6;
    private static final int BASE_PORT = 25801;
    private static final EventKind KIND = EventKind.of(1, 1);
    private static final byte[] PAYLOAD = new byte[100];

    private ClusterBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "6"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "2"));
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "3"));
        int inFlight = Integer.parseInt(opts.getOrDefault("in-flight", "64"));
        int samples = Integer.parseInt(opts.getOrDefault("latency-samples", "2000"));
        int cursorEvents = Integer.parseInt(opts.getOrDefault("cursor-events", "200000"));
        Path out = Path.of(opts.getOrDefault("out", "bench/results"));
        Path data = Files.createDirectories(Path.of(opts.getOrDefault("data", "bench/target/cluster-bench")));

        Map<String, List<Double>> results = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            System.out.println("round " + (round + 1) + "/" + rounds);
            try (Nodes one = Nodes.start(data.resolve("r" + round + "-one"), 1)) {
                BatpakCluster c = one.cluster(0);
                add(results, "appends/s, 1 node", throughput(List.of(c, c, c), node -> ClusterBench::anyEntity,
                        inFlight, warmup, seconds));
                add(results, "local append p50 us", percentile(latencies(c, entityIn(0, 0), samples), 50));
            }
            try (Nodes three = Nodes.start(data.resolve("r" + round + "-three"), 3)) {
                List<BatpakCluster> clients = List.of(three.cluster(0), three.cluster(1), three.cluster(2));
                add(results, "appends/s, 3 nodes, co-located clients", throughput(clients,
                        node -> counter -> ENTITIES[ownedPartition(node, counter)][(int) (counter / 2 % 50)],
                        inFlight, warmup, seconds));
                add(results, "appends/s, 3 nodes, remote clients", throughput(clients,
                        node -> counter -> anyEntity(counter), inFlight, warmup, seconds));
                BatpakCluster c0 = three.cluster(0);
                int remote = 1; // owned by node 1
                add(results, "remote reads/s (no disk), node 0 to partition 1", readThroughput(c0, remote, inFlight,
                        warmup, seconds));
                long[] local = latencies(c0, entityIn(0, 1), samples);
                long[] rem = latencies(c0, entityIn(remote, 1), samples);
                long[] read = remoteReadLatencies(c0, remote, samples);
                add(results, "3 nodes: local append p50 us", percentile(local, 50));
                add(results, "3 nodes: local append p99 us", percentile(local, 99));
                add(results, "3 nodes: remote append p50 us", percentile(rem, 50));
                add(results, "3 nodes: remote append p99 us", percentile(rem, 99));
                add(results, "3 nodes: remote read (no disk) p50 us", percentile(read, 50));
                add(results, "3 nodes: remote read (no disk) p99 us", percentile(read, 99));

                fill(three.cluster(1), entityIn(remote, 2), cursorEvents);
                add(results, "cursor events/s, local", cursorRate(three.cluster(1), three.node(1), remote));
                add(results, "cursor events/s, remote", cursorRate(c0, three.node(0), remote));
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("# Cluster benchmark\n\n");
        md.append("Run ").append(Instant.now()).append(" on ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores: every node is an ActorSystem of one JVM on 127.0.0.1 (Artery TCP, Jackson CBOR),")
                .append(" so three nodes share these cores. ").append(PARTITIONS).append(" partitions, ")
                .append(PAYLOAD.length).append("-byte payloads, sync mode of reference.conf, ").append(inFlight)
                .append(" appends in flight per client node, ").append(seconds).append(" s per cell after ")
                .append(warmup).append(" s warm-up; medians of ").append(rounds).append(" rounds.\n\n");
        md.append("| measure | median | rounds |\n|---|---:|---|\n");
        for (Map.Entry<String, List<Double>> e : results.entrySet()) {
            md.append("| ").append(e.getKey()).append(" | ").append(String.format("%,.0f", median(e.getValue())))
                    .append(" | ").append(e.getValue().stream().map(v -> String.format("%.0f", v))
                            .collect(Collectors.joining(", "))).append(" |\n");
        }
        double one = median(results.get("appends/s, 1 node"));
        md.append("\nRatios: 3 nodes co-located / 1 node = ")
                .append(String.format("%.2f", median(results.get("appends/s, 3 nodes, co-located clients")) / one))
                .append("; 3 nodes remote clients / 1 node = ")
                .append(String.format("%.2f", median(results.get("appends/s, 3 nodes, remote clients")) / one))
                .append("; remote / local append p50 = ")
                .append(String.format("%.2f", median(results.get("3 nodes: remote append p50 us"))
                        / median(results.get("3 nodes: local append p50 us"))))
                .append("; remote / local cursor = ")
                .append(String.format("%.2f", median(results.get("cursor events/s, remote"))
                        / median(results.get("cursor events/s, local")))).append(".\n");
        System.out.println(md);
        Files.createDirectories(out);
        Files.writeString(out.resolve("cluster-latest.md"), md.toString(), StandardCharsets.UTF_8);
        System.exit(0);
    }

    private static void add(Map<String, List<Double>> results, String key, double value) {
        results.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        System.out.printf("  %-45s %,.0f%n", key, value);
    }

    static String entityIn(int partition, int n) {
        int found = 0;
        for (int i = 0; ; i++) {
            String e = "bench:" + partition + "-" + i;
            if (Partitioning.partitionOf(e, PARTITIONS) == partition && found++ == n) {
                return e;
            }
        }
    }

    private static final String[][] ENTITIES = new String[PARTITIONS][50];

    static {
        for (int p = 0; p < PARTITIONS; p++) {
            for (int i = 0; i < 50; i++) {
                ENTITIES[p][i] = entityIn(p, i);
            }
        }
    }

    private static String anyEntity(long counter) {
        return ENTITIES[(int) (counter % PARTITIONS)][(int) (counter / PARTITIONS % 50)];
    }

    private static int ownedPartition(int node, long counter) {
        // Node i of 3 owns partitions i and i + 3.
        return node + 3 * (int) (counter % 2);
    }

    /** Appends/s over {@code seconds}, each client keeping {@code inFlight} appends in flight. */
    private static double throughput(List<BatpakCluster> clients, IntFunction<LongFunction<String>> entities,
                                     int inFlight, int warmup, int seconds) throws Exception {
        List<Supplier<CompletionStage<?>>> loops = new ArrayList<>();
        for (int n = 0; n < clients.size(); n++) {
            BatpakCluster c = clients.get(n);
            LongFunction<String> pick = entities.apply(n);
            AtomicLong counter = new AtomicLong();
            for (int l = 0; l < inFlight; l++) {
                loops.add(() -> c.append(Coordinate.of(pick.apply(counter.getAndIncrement()), "s"), KIND, PAYLOAD));
            }
        }
        return rate(loops, warmup, seconds);
    }

    /** Remote reads/s that touch no disk (the partition's head), {@code inFlight} at a time. */
    private static double readThroughput(BatpakCluster c, int partition, int inFlight, int warmup, int seconds)
            throws Exception {
        List<Supplier<CompletionStage<?>>> loops = new ArrayList<>();
        for (int l = 0; l < inFlight; l++) {
            loops.add(() -> c.lastGlobalSequence(partition));
        }
        return rate(loops, warmup, seconds);
    }

    /** Operations/s over {@code seconds} after {@code warmup}, each loop running its operation one at a time. */
    private static double rate(List<Supplier<CompletionStage<?>>> loops, int warmup, int seconds) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean counting = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<CompletableFuture<Void>> finished = new ArrayList<>();
        for (Supplier<CompletionStage<?>> op : loops) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            finished.add(f);
            loop(op, stop, counting, done, failed, f);
        }
        TimeUnit.SECONDS.sleep(warmup);
        counting.set(true);
        long start = System.nanoTime();
        TimeUnit.SECONDS.sleep(seconds);
        long count = done.get();
        double elapsed = (System.nanoTime() - start) / 1e9;
        stop.set(true);
        CompletableFuture.allOf(finished.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " operations failed");
        }
        return count / elapsed;
    }

    private static void loop(Supplier<CompletionStage<?>> op, AtomicBoolean stop, AtomicBoolean counting,
                             AtomicLong done, AtomicLong failed, CompletableFuture<Void> finished) {
        if (stop.get()) {
            finished.complete(null);
            return;
        }
        op.get().whenComplete((r, e) -> {
            if (e != null) {
                failed.incrementAndGet();
            } else if (counting.get()) {
                done.incrementAndGet();
            }
            loop(op, stop, counting, done, failed, finished);
        });
    }

    /** Latencies in microseconds of {@code samples} appends, one at a time. */
    private static long[] latencies(BatpakCluster c, String entity, int samples) throws Exception {
        return latencies(() -> c.append(Coordinate.of(entity, "s"), KIND, PAYLOAD), samples);
    }

    private static long[] remoteReadLatencies(BatpakCluster c, int partition, int samples) throws Exception {
        return latencies(() -> c.lastGlobalSequence(partition), samples);
    }

    /** Latencies in microseconds of {@code samples} runs of {@code op}, one at a time, after a tenth as warm-up. */
    private static long[] latencies(Supplier<CompletionStage<?>> op, int samples) throws Exception {
        long[] out = new long[samples];
        for (int i = -samples / 10; i < samples; i++) {
            long t = System.nanoTime();
            op.get().toCompletableFuture().get(60, TimeUnit.SECONDS);
            if (i >= 0) {
                out[i] = (System.nanoTime() - t) / 1000;
            }
        }
        return out;
    }

    private static void fill(BatpakCluster owner, String entity, int events) throws Exception {
        List<CompletableFuture<?>> window = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            window.add(owner.append(Coordinate.of(entity, "s"), KIND, PAYLOAD).toCompletableFuture());
            if (window.size() == 256) {
                CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                window.clear();
            }
        }
        CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    /** Events/s of a replay of the whole partition to its head. */
    private static double cursorRate(BatpakCluster c, ActorSystem<?> system, int partition) throws Exception {
        long start = System.nanoTime();
        long n = c.replay(partition, Region.all(), -1).runWith(Sink.fold(0L, (a, e) -> a + 1), system)
                .toCompletableFuture().get(300, TimeUnit.SECONDS);
        return n / ((System.nanoTime() - start) / 1e9);
    }

    private static double percentile(long[] values, int p) {
        long[] s = values.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)];
    }

    private static double median(List<Double> values) {
        double[] s = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** N nodes of this JVM; node i owns partitions i, i + N, ... */
    private static final class Nodes implements AutoCloseable {
        private final ActorSystem<?>[] systems;

        private Nodes(ActorSystem<?>[] systems) {
            this.systems = systems;
        }

        static Nodes start(Path root, int count) throws IOException {
            ActorSystem<?>[] systems = new ActorSystem<?>[count];
            String seeds = IntStream.range(0, count).mapToObj(i -> "\"pekko://" + SYSTEM + "@127.0.0.1:"
                    + (BASE_PORT + i) + "\"").collect(Collectors.joining(","));
            for (int i = 0; i < count; i++) {
                final int node = i;
                String owned = IntStream.range(0, PARTITIONS).filter(p -> p % count == node).mapToObj(String::valueOf)
                        .collect(Collectors.joining(","));
                Config config = ConfigFactory.parseString(String.join("\n",
                        "pekko.actor.provider = cluster",
                        "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"",
                        "pekko.remote.artery.canonical.port = " + (BASE_PORT + i),
                        "pekko.cluster.seed-nodes = [" + seeds + "]",
                        "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
                        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
                        "pekko.loglevel = ERROR",
                        "batpak.cluster.partitions = " + PARTITIONS,
                        "batpak.cluster.owned-partitions = [" + owned + "]",
                        "batpak.cluster.dir = \"" + root.resolve("node-" + i).toString().replace("\\", "/") + "\""))
                        .withFallback(ConfigFactory.load());
                systems[i] = ActorSystem.create(Behaviors.empty(), SYSTEM, config);
            }
            Nodes nodes = new Nodes(systems);
            for (ActorSystem<?> s : systems) {
                BatpakCluster.get(s);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (ActorSystem<?> s : systems) {
                while (java.util.stream.StreamSupport.stream(Cluster.get(s).state().getMembers().spliterator(), false)
                        .filter(m -> m.status() == MemberStatus.up()).count() < count) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the cluster did not form");
                    }
                    try {
                        TimeUnit.MILLISECONDS.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
                try {
                    BatpakCluster.get(s).whenAllAvailable(Duration.ofSeconds(60)).toCompletableFuture()
                            .get(70, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            // Each shard is placed on its first request: place them all before anything is measured.
            for (ActorSystem<?> s : systems) {
                for (int p = 0; p < PARTITIONS; p++) {
                    try {
                        BatpakCluster.get(s).lastGlobalSequence(p).toCompletableFuture().get(60, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            return nodes;
        }

        BatpakCluster cluster(int i) {
            return BatpakCluster.get(systems[i]);
        }

        ActorSystem<?> node(int i) {
            return systems[i];
        }

        @Override
        public void close() throws Exception {
            for (int i = systems.length - 1; i >= 0; i--) {
                systems[i].terminate();
                systems[i].getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
            }
        }
    }
}
