package io.batpak.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Nodes of a test cluster in this JVM: one ActorSystem per node on 127.0.0.1 with a fixed port, each with its own
 * directory under {@code root}. Node i owns partitions i, i+n, i+2n, ... of {@code partitions}. Every message sent
 * is serialized and read back ({@code serialize-messages = on}) except the purely local ones of the embedded store
 * and of Pekko itself.
 */
final class ClusterNodes implements AutoCloseable {
    static final String SYSTEM = "batpak-cluster-test";
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Path root;
    private final int basePort;
    private final int partitions;
    private final ActorSystem<?>[] nodes;
    private String extraConfig = "";

    ClusterNodes(Path root, int basePort, int nodeCount, int partitions) {
        this.root = root;
        this.basePort = basePort;
        this.partitions = partitions;
        this.nodes = new ActorSystem<?>[nodeCount];
    }

    static Config config(Path dir, int port, List<Integer> seedPorts, int partitions, List<Integer> owned) {
        String seeds = seedPorts.stream().map(p -> "\"pekko://" + SYSTEM + "@127.0.0.1:" + p + "\"")
                .collect(Collectors.joining(","));
        return ConfigFactory.parseString(String.join("\n",
                "pekko.actor.provider = cluster",
                "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"",
                "pekko.remote.artery.canonical.port = " + port,
                "pekko.cluster.seed-nodes = [" + seeds + "]",
                "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
                "pekko.cluster.downing-provider-class = \"org.apache.pekko.cluster.sbr.SplitBrainResolverProvider\"",
                "pekko.cluster.split-brain-resolver.stable-after = 3s",
                "pekko.cluster.sharding.retry-interval = 200ms",
                "pekko.actor.serialize-messages = on",
                "pekko.actor.no-serialization-verification-needed-class-prefix = "
                        + "[\"org.apache.pekko.\", \"io.batpak.actors.\", \"io.batpak.streams.\", \"io.batpak.core.\"]",
                "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
                "pekko.loglevel = WARNING",
                "batpak.cluster.partitions = " + partitions,
                "batpak.cluster.owned-partitions = " + owned,
                "batpak.cluster.dir = \"" + dir.toString().replace("\\", "/") + "\"",
                "batpak.cluster.request-timeout = 10s"))
                .withFallback(ConfigFactory.load());
    }

    /** More configuration for every node started from now on; {@code $DIR} stands for the node's directory. */
    ClusterNodes withConfig(String config) {
        this.extraConfig = config;
        return this;
    }

    List<Integer> ownedBy(int node) {
        return IntStream.range(0, partitions).filter(p -> p % nodes.length == node).boxed().toList();
    }

    int ownerNode(int partition) {
        return partition % nodes.length;
    }

    Path dir(int node) {
        return root.resolve("node-" + node);
    }

    int port(int node) {
        return basePort + node;
    }

    ActorSystem<?> start(int node) {
        List<Integer> seeds = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            seeds.add(port(i));
        }
        Config config = ConfigFactory.parseString(extraConfig.replace("$DIR",
                        dir(node).toString().replace("\\", "/")))
                .withFallback(config(dir(node), port(node), seeds, partitions, ownedBy(node)));
        ActorSystem<?> system = ActorSystem.create(Behaviors.empty(), SYSTEM, config);
        nodes[node] = system;
        BatpakCluster.get(system);
        return system;
    }

    void startAll() {
        for (int i = 0; i < nodes.length; i++) {
            start(i);
        }
        awaitUp();
    }

    /** Waits until every running node sees every running node up and every partition available. */
    void awaitUp() {
        int running = 0;
        for (ActorSystem<?> n : nodes) {
            running += n == null ? 0 : 1;
        }
        int expected = running;
        eventually("every node sees " + expected + " members up", () -> {
            for (ActorSystem<?> n : nodes) {
                if (n == null) {
                    continue;
                }
                long up = java.util.stream.StreamSupport.stream(Cluster.get(n).state().getMembers().spliterator(), false)
                        .filter(m -> m.status() == MemberStatus.up()).count();
                if (up != expected) {
                    return false;
                }
            }
            return true;
        });
        for (ActorSystem<?> n : nodes) {
            if (n != null && running == nodes.length) {
                await(BatpakCluster.get(n).whenAllAvailable(TIMEOUT));
            }
        }
    }

    ActorSystem<?> node(int i) {
        return nodes[i];
    }

    BatpakCluster cluster(int i) {
        return BatpakCluster.get(nodes[i]);
    }

    /** Stops node {@code i} gracefully (it leaves the cluster, its stores close) and waits until it has. */
    void stop(int i) {
        ActorSystem<?> n = nodes[i];
        nodes[i] = null;
        n.terminate();
        await(n.getWhenTerminated());
    }

    @Override
    public void close() {
        for (int i = nodes.length - 1; i >= 0; i--) {
            if (nodes[i] != null) {
                stop(i);
            }
        }
    }

    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError(c);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static Throwable failure(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected the stage to fail, it succeeded");
    }

    static void eventually(String what, BooleanSupplier condition) {
        io.batpak.actors.Polling.eventually(what, condition, TIMEOUT);
    }
}
