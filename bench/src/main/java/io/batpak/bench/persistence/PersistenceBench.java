package io.batpak.bench.persistence;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

/**
 * EventSourcedBehavior persist throughput and latency (1, 100 and 1,000 entities, each persisting one event in a
 * loop, one command in flight per entity) and the recovery time of an entity with 10,000 events, for the batpak
 * journal and pekko-persistence-jdbc on H2 and on PostgreSQL, in one run. Cells run round-robin over the
 * journals, {@code rounds} times; the report gives medians.
 *
 * <pre>
 *   bench/run.sh persistence [--seconds S] [--warmup S] [--rounds N] [--entities 1,100,1000]
 *                            [--recovery-events N] [--journals batpak,jdbc-h2,jdbc-postgres] [--out DIR]
 * </pre>
 * run.sh starts a throwaway PostgreSQL server and passes {@code --pg-url}; without it the PostgreSQL cells are
 * skipped with the reason printed.
 */
public final class PersistenceBench {
    private static final Duration ASK = Duration.ofSeconds(60);
    /**
     * Runs a continuation on the thread that completed the ask. The ask's stage runs even its non-async callbacks
     * on the common pool, which on a 2-core machine starts a thread per callback.
     */
    private static final java.util.concurrent.Executor DIRECT = Runnable::run;

    private PersistenceBench() {
    }

    record Cell(String journal, int entities, double eventsPerSecond, double p50Micros, double p99Micros) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "8"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "3"));
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "3"));
        int recoveryEvents = Integer.parseInt(opts.getOrDefault("recovery-events", "10000"));
        int[] entityCounts = Arrays.stream(opts.getOrDefault("entities", "1,100,1000").split(","))
                .mapToInt(Integer::parseInt).toArray();
        Path out = Path.of(opts.getOrDefault("out", "bench/results"));
        Path data = Files.createTempDirectory(Path.of(opts.getOrDefault("data", System.getProperty("java.io.tmpdir"))),
                "batpak-persistence-bench");
        if (opts.containsKey("journals")) {
            only = List.of(opts.get("journals").split(","));
        }
        String pgUrl = opts.get("pg-url");
        String pgUser = opts.getOrDefault("pg-user", "postgres");
        if (pgUrl == null) {
            System.out.println("PostgreSQL cells skipped: no --pg-url given (bench/run.sh persistence starts a "
                    + "server when PostgreSQL 15 is installed)");
        }

        List<Cell> cells = new ArrayList<>();
        Map<String, List<Double>> recoveries = new LinkedHashMap<>();
        int run = 0;
        for (int round = 1; round <= rounds; round++) {
            for (int entities : entityCounts) {
                for (Journal journal : journals(data, ++run, pgUrl, pgUser)) {
                    Cell c = persistCell(journal, entities, warmup, seconds);
                    cells.add(c);
                    System.out.printf(Locale.ROOT, "round %d %-14s %5d entities: %9.0f events/s  p50 %8.0f us  "
                            + "p99 %8.0f us%n", round, journal.name(), entities, c.eventsPerSecond(), c.p50Micros(),
                            c.p99Micros());
                }
            }
            for (Journal journal : journals(data, ++run, pgUrl, pgUser)) {
                double ms = recoveryCell(journal, recoveryEvents);
                recoveries.computeIfAbsent(journal.name(), k -> new ArrayList<>()).add(ms);
                System.out.printf(Locale.ROOT, "round %d %-14s recovery of %d events: %.0f ms%n", round,
                        journal.name(), recoveryEvents, ms);
            }
        }
        String report = report(cells, recoveries, entityCounts, recoveryEvents, seconds, warmup, rounds,
                journals(data, 0, pgUrl, pgUser));
        Files.createDirectories(out);
        Path file = out.resolve("persistence-" + Instant.now().toString().replaceAll("[:.]", "-") + ".md");
        Files.writeString(file, report, StandardCharsets.UTF_8);
        System.out.println(report);
        System.out.println("written " + file);
        delete(data);
    }

    private static List<String> only = List.of();

    private static List<Journal> journals(Path data, int run, String pgUrl, String pgUser) {
        List<Journal> out = new ArrayList<>();
        out.add(Journal.batpak(data.resolve("batpak-" + run)));
        out.add(Journal.h2(data.resolve("h2-" + run).resolve("journal")));
        if (pgUrl != null) {
            out.add(Journal.postgres(pgUrl, pgUser));
        }
        out.removeIf(j -> !only.isEmpty() && !only.contains(j.name()));
        return out;
    }

    private static ActorSystem<Void> start(Journal journal) {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench",
                journal.config().withFallback(ConfigFactory.load()));
        if (journal.isJdbc()) {
            await(SchemaUtils.dropIfExists(system).exceptionally(e -> null));
            await(SchemaUtils.createIfNotExists(system));
        }
        return system;
    }

    private static Cell persistCell(Journal journal, int entities, int warmupSeconds, int seconds) throws Exception {
        ActorSystem<Void> system = start(journal);
        try {
            List<ActorRef<BenchEntity.Command>> refs = new ArrayList<>();
            List<CompletableFuture<Long>> recovered = new ArrayList<>();
            for (int i = 0; i < entities; i++) {
                ActorRef<BenchEntity.Command> ref = system.systemActorOf(BenchEntity.create("e" + i), "e" + i,
                        Props.empty());
                refs.add(ref);
                recovered.add(ask(system, ref, BenchEntity.Get::new));
            }
            CompletableFuture.allOf(recovered.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
            Recorder recorder = new Recorder(3);
            AtomicLong completed = new AtomicLong();
            long start = System.nanoTime();
            long measureFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
            long measureTo = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
            CountDownLatch done = new CountDownLatch(entities);
            for (ActorRef<BenchEntity.Command> ref : refs) {
                loop(system, ref, recorder, completed, measureFrom, measureTo, done);
            }
            if (!done.await(warmupSeconds + seconds + 120, TimeUnit.SECONDS)) {
                throw new IllegalStateException(journal.name() + ": persist loops did not finish");
            }
            Histogram h = recorder.getIntervalHistogram();
            double elapsed = (measureTo - measureFrom) / 1e9;
            return new Cell(journal.name(), entities, completed.get() / elapsed,
                    h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(2, TimeUnit.MINUTES);
        }
    }

    private static void loop(ActorSystem<Void> system, ActorRef<BenchEntity.Command> ref, Recorder recorder,
                             AtomicLong completed, long measureFrom, long measureTo, CountDownLatch done) {
        long sent = System.nanoTime();
        if (sent >= measureTo) {
            done.countDown();
            return;
        }
        ask(system, ref, (ActorRef<Long> r) -> new BenchEntity.Persist(1, r)).whenCompleteAsync((n, e) -> {
            long now = System.nanoTime();
            if (e != null) {
                System.err.println("persist failed: " + e);
                done.countDown();
                return;
            }
            if (sent >= measureFrom && now <= measureTo) {
                recorder.recordValue(now - sent);
                completed.incrementAndGet();
            }
            loop(system, ref, recorder, completed, measureFrom, measureTo, done);
        }, DIRECT);
    }

    /** Writes {@code events} to one entity (atomic writes of 100), then times five fresh recoveries; the median. */
    private static double recoveryCell(Journal journal, int events) throws Exception {
        ActorSystem<Void> system = start(journal);
        try {
            ActorRef<BenchEntity.Command> writer = system.systemActorOf(BenchEntity.create("recovering"), "writer",
                    Props.empty());
            for (int written = 0; written < events; written += 100) {
                int n = Math.min(100, events - written);
                await(ask(system, writer, (ActorRef<Long> r) -> new BenchEntity.Persist(n, r)));
            }
            stop(system, writer);
            double[] ms = new double[5];
            for (int i = 0; i < ms.length; i++) {
                long t0 = System.nanoTime();
                ActorRef<BenchEntity.Command> ref = system.systemActorOf(BenchEntity.create("recovering"),
                        "reader-" + i, Props.empty());
                long count = await(ask(system, ref, BenchEntity.Get::new));
                ms[i] = (System.nanoTime() - t0) / 1e6;
                if (count != events) {
                    throw new IllegalStateException(journal.name() + " recovered " + count + " of " + events);
                }
                stop(system, ref);
            }
            Arrays.sort(ms);
            return ms[ms.length / 2];
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(2, TimeUnit.MINUTES);
        }
    }

    private static void stop(ActorSystem<Void> system, ActorRef<?> ref) {
        org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system)
                .stop(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(ref));
    }

    private static CompletableFuture<Long> ask(ActorSystem<Void> system, ActorRef<BenchEntity.Command> ref,
                                               org.apache.pekko.japi.function.Function<ActorRef<Long>,
                                                       BenchEntity.Command> message) {
        return AskPattern.ask(ref, message, ASK, system.scheduler()).toCompletableFuture();
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(5, TimeUnit.MINUTES);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double median(List<Double> values) {
        List<Double> s = values.stream().sorted().toList();
        return s.isEmpty() ? Double.NaN : s.get(s.size() / 2);
    }

    private static String report(List<Cell> cells, Map<String, List<Double>> recoveries, int[] entityCounts,
                                 int recoveryEvents, int seconds, int warmup, int rounds, List<Journal> journals) {
        StringBuilder md = new StringBuilder();
        md.append("## EventSourcedBehavior on three journals\n\n");
        md.append(String.format(Locale.ROOT, "%s; %d rounds round-robin, medians; each cell %d s measured after %d s"
                + " warm-up; one command in flight per entity.%n%n", Instant.now(), rounds, seconds, warmup));
        for (Journal j : journals) {
            md.append("- `").append(j.name()).append("`: ").append(j.description()).append('\n');
        }
        md.append("\n| journal | entities | events/s | p50 latency | p99 latency |\n|---|---:|---:|---:|---:|\n");
        Map<String, Double> throughput = new LinkedHashMap<>();
        for (int entities : entityCounts) {
            for (Journal j : journals) {
                List<Cell> mine = cells.stream().filter(c -> c.journal().equals(j.name()) && c.entities() == entities)
                        .toList();
                double eps = median(mine.stream().map(Cell::eventsPerSecond).toList());
                throughput.put(j.name() + "/" + entities, eps);
                md.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %,.2f ms | %,.2f ms |%n", j.name(), entities,
                        eps, median(mine.stream().map(Cell::p50Micros).toList()) / 1000,
                        median(mine.stream().map(Cell::p99Micros).toList()) / 1000));
            }
        }
        md.append(String.format(Locale.ROOT, "%n| journal | recovery of one entity with %,d events (median) |%n"
                + "|---|---:|%n", recoveryEvents));
        for (Journal j : journals) {
            md.append(String.format(Locale.ROOT, "| %s | %,.0f ms |%n", j.name(),
                    median(recoveries.getOrDefault(j.name(), List.of()))));
        }
        md.append("\nRatios (batpak over each peer, same run):\n\n");
        for (Journal j : journals) {
            if (j.name().equals("batpak")) {
                continue;
            }
            for (int entities : entityCounts) {
                md.append(String.format(Locale.ROOT, "- throughput at %d entities vs %s: %.1fx%n", entities, j.name(),
                        throughput.get("batpak/" + entities) / throughput.get(j.name() + "/" + entities)));
            }
            md.append(String.format(Locale.ROOT, "- recovery vs %s: %.1fx faster%n", j.name(),
                    median(recoveries.get(j.name())) / median(recoveries.get("batpak"))));
        }
        return md.toString();
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
