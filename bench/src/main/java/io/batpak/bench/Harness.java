package io.batpak.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The comparative benchmark harness. One invocation measures batpak-jvm, the raw-disk limits and the peers on the
 * same machine and disk, round by round, and writes {@code <out>/<timestamp>.json|.md|.png} and
 * {@code <out>/latest.json|.md|.png}.
 *
 * <pre>
 * java -jar bench/target/batpak-bench.jar [--quick | --full | --smoke] [--out DIR] [--data DIR] [--rounds N]
 *      [--sqlite auto|shared|per-appender] [--jmh | --no-jmh] [--read-events N] [--no-appends] [--no-reads]
 *      [--no-streams] [--only SCENARIO-REGEX] [--systems NAME,NAME]
 * java -jar bench/target/batpak-bench.jar jmh [JMH options]      runs the JMH micro-benchmarks only
 * </pre>
 * Use {@code bench/run.sh}, which builds the jar when needed and passes the JVM flags.
 */
public final class Harness {
    /** Where a run wrote its files. */
    public record Output(Path json, Path markdown, Path png, Path latestJson, Path latestMarkdown, Path latestPng) {
    }

    private Harness() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        int code = 0;
        try {
            run(args, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            code = 2;
        }
        // Chronicle Queue and H2 leave background threads behind; the results are written.
        System.exit(code);
    }

    public static Output run(String[] args, PrintStream log) throws Exception {
        if (System.getProperty("chronicle.analytics.disable") == null) {
            System.setProperty("chronicle.analytics.disable", "true");
        }
        // Initialise logging before any library logs from several threads at once.
        org.slf4j.LoggerFactory.getLogger(Harness.class);
        Plan plan = Plan.full();
        Path out = Path.of("bench", "results");
        Path data = Path.of("bench", "target", "bench-data");
        SqliteSystem.Connections sqlite = SqliteSystem.Connections.AUTO;
        String only = null;
        String onlySystems = null;
        boolean appends = true;
        boolean readsOn = true;
        boolean streamsOn = true;
        Boolean jmh = null;
        Integer rounds = null;
        Integer readEvents = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> plan = Plan.quick();
                case "--full" -> plan = Plan.full();
                case "--smoke" -> plan = Plan.smoke();
                case "--out" -> out = Path.of(value(args, ++i));
                case "--data" -> data = Path.of(value(args, ++i));
                case "--rounds" -> rounds = Integer.parseInt(value(args, ++i));
                case "--read-events" -> readEvents = Integer.parseInt(value(args, ++i));
                case "--only" -> only = value(args, ++i);
                case "--systems" -> onlySystems = value(args, ++i);
                case "--sqlite" -> sqlite = switch (value(args, ++i)) {
                    case "auto" -> SqliteSystem.Connections.AUTO;
                    case "shared" -> SqliteSystem.Connections.SHARED;
                    case "per-appender" -> SqliteSystem.Connections.PER_APPENDER;
                    default -> throw new IllegalArgumentException("--sqlite auto|shared|per-appender");
                };
                case "--jmh" -> jmh = true;
                case "--no-jmh" -> jmh = false;
                case "--no-appends" -> appends = false;
                case "--no-reads" -> readsOn = false;
                case "--no-streams" -> streamsOn = false;
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "\nusage: [--quick|--full|--smoke]"
                        + " [--out DIR] [--data DIR] [--rounds N] [--sqlite auto|shared|per-appender] [--jmh|--no-jmh]"
                        + " [--read-events N] [--no-appends] [--no-reads] [--no-streams] [--only SCENARIO-REGEX]"
                        + " [--systems a,b]"
                        + "  |  jmh [JMH options]");
            }
        }
        if (rounds != null) {
            plan = plan.withRounds(rounds);
        }
        if (jmh != null) {
            plan = plan.withJmh(jmh);
        }
        if (readEvents != null) {
            plan = plan.withReadEvents(readEvents);
        }

        long start = System.nanoTime();
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
        String stamp = now.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        Path runDir = data.resolve("run-" + stamp);
        Files.createDirectories(runDir);
        Files.createDirectories(out);
        log.printf("batpak-jvm bench, %s mode: %d rounds, %d ms warm-up + %d ms window per measurement; data in %s%n",
                plan.mode(), plan.rounds(), plan.warmupMillis(), plan.measureMillis(), runDir.toAbsolutePath());
        var machine = Machine.describe(runDir);
        log.println("machine: " + machine.get("cpuModel") + ", " + machine.get("cores") + " cores, " + machine.get("memory")
                + ", " + machine.get("kernel") + ", " + machine.get("jdk"));
        log.println(machine.get("fileSystem"));

        ActorSystem<Void> actorSystem = ActorSystem.create(Behaviors.empty(), "batpak-bench");
        AppendMatrix matrix = new AppendMatrix(plan, runDir.resolve("append"), actorSystem, sqlite, log);
        matrix.filter(only, onlySystems);
        ReadBench reads = null;
        StreamBench streams = null;
        List<Micro.Score> micro = List.of();
        try {
            if (appends) {
                matrix.jvmWarmup();
                matrix.run();
            }
            if (readsOn) {
                log.println("== reads");
                reads = new ReadBench(plan, runDir.resolve("reads"), actorSystem, log);
                try {
                    reads.build();
                    for (int r = 0; r < plan.rounds(); r++) {
                        reads.round();
                    }
                } catch (Exception | LinkageError e) {
                    reads.errors.add(e.toString());
                    log.println("   reads FAILED: " + e);
                    e.printStackTrace(log);
                } finally {
                    reads.cleanup();
                }
            }
            if (streamsOn) {
                log.println("== stream delivery");
                streams = new StreamBench(plan, runDir.resolve("streams"), actorSystem, log);
                try {
                    streams.prepare();
                    for (int r = 0; r < plan.rounds(); r++) {
                        streams.round(r);
                    }
                } catch (Exception | LinkageError e) {
                    streams.errors.add(e.toString());
                    log.println("   streams FAILED: " + e);
                    e.printStackTrace(log);
                } finally {
                    streams.cleanup();
                }
            }
        } finally {
            actorSystem.terminate();
            actorSystem.getWhenTerminated().toCompletableFuture().join();
        }
        String microError = null;
        if (plan.jmh()) {
            log.println("== JMH micro-benchmarks");
            try {
                micro = plan.mode().equals("full") ? Micro.run(3, 5) : Micro.run(1, 2);
            } catch (Exception e) {
                // The comparative results are still written; the report names the failure.
                microError = e.toString();
                log.println("   JMH FAILED: " + e);
            }
        }
        Files2.deleteTree(runDir);

        Report report = new Report(plan, now.format(DateTimeFormatter.ISO_INSTANT), machine, matrix, reads, streams,
                micro,
                switch (sqlite) {
                    case AUTO -> "synchronous=FULL: one shared connection; synchronous=NORMAL: one connection per appender";
                    case SHARED -> "one shared connection";
                    case PER_APPENDER -> "one connection per appender";
                });
        report.totalSeconds = (System.nanoTime() - start) / 1e9;
        report.microError = microError;
        Output o = new Output(out.resolve(stamp + ".json"), out.resolve(stamp + ".md"), out.resolve(stamp + ".png"),
                out.resolve("latest.json"), out.resolve("latest.md"), out.resolve("latest.png"));
        Report.JSON.writeValue(o.json().toFile(), report.json());
        Files.writeString(o.markdown(), report.markdown(), StandardCharsets.UTF_8);
        Chart.render(report, o.png());
        copy(o.json(), o.latestJson());
        copy(o.markdown(), o.latestMarkdown());
        copy(o.png(), o.latestPng());

        log.println();
        log.println("== targets");
        List<Report.Target> all = new java.util.ArrayList<>(report.targets());
        all.addAll(report.hotPathTargets());
        for (Report.Target t : all) {
            log.println(String.format(Locale.ROOT, "   %-5s %-100s %s (ratio %.2f)", t.pass() == null ? "n/a"
                    : t.pass() ? "PASS" : "MISS", t.goal(), t.measured(), t.ratio()));
        }
        log.println(String.format(Locale.ROOT, "wrote %s, %s, %s (and latest.*) in %.0f s", o.json(), o.markdown(), o.png(),
                report.totalSeconds));
        return o;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
}
