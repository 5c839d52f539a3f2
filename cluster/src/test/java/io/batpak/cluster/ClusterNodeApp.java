package io.batpak.cluster;

import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One cluster node in a child JVM for {@link ChildJvmClusterTest}. Args: dir, port, seed ports, partitions,
 * owned partitions (comma-separated, may be "-"), node name. It prints {@code READY} once every partition is
 * available, then appends to entities of every partition from {@value #LOOPS} loops, printing
 * {@code ACK <eventId> <entity> <entitySequence>} for each acknowledged append and {@code FAIL <entity> <class>}
 * for each failed one, until a {@code stop} line on stdin: then it prints {@code STOPPED} and leaves the cluster.
 * It halts when stdin closes (its test is gone) or after five minutes.
 */
public final class ClusterNodeApp {
    static final int LOOPS = 4;
    static final EventKind KIND = EventKind.of(1, 7);

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        List<Integer> seeds = Arrays.stream(args[2].split(",")).map(Integer::parseInt).toList();
        int partitions = Integer.parseInt(args[3]);
        List<Integer> owned = args[4].equals("-") ? List.of()
                : Arrays.stream(args[4].split(",")).map(Integer::parseInt).toList();
        String name = args[5];
        Thread limit = new Thread(() -> {
            try {
                TimeUnit.MINUTES.sleep(5);
            } catch (InterruptedException ignored) {
                // halt anyway
            }
            Runtime.getRuntime().halt(4);
        });
        limit.setDaemon(true);
        limit.start();

        ActorSystem<?> system = ActorSystem.create(Behaviors.empty(), ClusterNodes.SYSTEM,
                ClusterNodes.config(dir, port, seeds, partitions, owned));
        BatpakCluster cluster = BatpakCluster.get(system);
        cluster.whenAllAvailable(Duration.ofSeconds(90)).toCompletableFuture().get(100, TimeUnit.SECONDS);
        say("READY");

        AtomicBoolean stopped = new AtomicBoolean();
        AtomicLong counter = new AtomicLong();
        CountDownLatch loopsDone = new CountDownLatch(LOOPS);
        for (int l = 0; l < LOOPS; l++) {
            appendNext(cluster, name, counter, stopped, loopsDone);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.equals("stop")) {
            // only "stop" is expected
        }
        if (line == null) {
            Runtime.getRuntime().halt(3);
        }
        stopped.set(true);
        loopsDone.await(60, TimeUnit.SECONDS);
        say("STOPPED");
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        System.exit(0);
    }

    private static void appendNext(BatpakCluster cluster, String name, AtomicLong counter, AtomicBoolean stopped,
                                   CountDownLatch done) {
        if (stopped.get()) {
            done.countDown();
            return;
        }
        long n = counter.getAndIncrement();
        String entity = "k" + name + "-" + (n % 24);
        cluster.append(Coordinate.of(entity, "s"), KIND, ("v" + n).getBytes(StandardCharsets.UTF_8))
                .whenComplete((r, e) -> {
                    if (e == null) {
                        say("ACK " + r.eventId() + " " + entity + " " + r.entitySequence());
                    } else {
                        Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                                ? e.getCause() : e;
                        say("FAIL " + entity + " " + c.getClass().getSimpleName());
                        // Do not spin on a partition that is away.
                        CompletableFuture.runAsync(() -> appendNext(cluster, name, counter, stopped, done),
                                CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS));
                        return;
                    }
                    appendNext(cluster, name, counter, stopped, done);
                });
    }
}
