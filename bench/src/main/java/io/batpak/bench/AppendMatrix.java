package io.batpak.bench;

import io.batpak.core.SyncMode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The append measurements. Rounds are the outer loop: each round runs every scenario once for every system (in an
 * order rotated from round to round), so all systems see the same machine conditions and ratios hold on a noisy
 * machine. Each measurement uses a fresh, empty directory, deleted right after.
 */
final class AppendMatrix {
    private final Plan plan;
    private final Path dataRoot;
    private final PrintStream log;
    private final AppendSystem batpakFsync;
    private final AppendSystem batpakNone;
    private final AppendSystem sqliteFull;
    private final AppendSystem sqliteNormal;
    private final AppendSystem h2 = new H2System();
    private final AppendSystem chronicle = new ChronicleSystem();
    private final Map<String, Cell> cells = new LinkedHashMap<>();
    private java.util.regex.Pattern only;
    private java.util.Set<String> onlySystems;

    AppendMatrix(Plan plan, Path dataRoot, ActorSystem<?> actorSystem, SqliteSystem.Connections sqlite, PrintStream log) {
        this.plan = plan;
        this.dataRoot = dataRoot;
        this.log = log;
        this.batpakFsync = new BatpakSystem(SyncMode.EVERY_COMMIT, actorSystem);
        this.batpakNone = new BatpakSystem(SyncMode.NONE, actorSystem);
        this.sqliteFull = new SqliteSystem(true, sqlite);
        this.sqliteNormal = new SqliteSystem(false, sqlite);
    }

    /** Single-append scenarios, in run order. */
    List<Scenario> appendScenarios() {
        List<Scenario> out = new ArrayList<>();
        for (int payload : plan.payloads()) {
            for (int appenders : plan.appenders()) {
                for (Durability d : Durability.values()) {
                    out.add(new Scenario(d, appenders, payload, 1));
                }
            }
        }
        return out;
    }

    List<Scenario> batchScenarios() {
        List<Scenario> out = new ArrayList<>();
        for (int appenders : plan.batchAppenders()) {
            for (Durability d : Durability.values()) {
                out.add(new Scenario(d, appenders, Plan.TARGET_PAYLOAD, plan.batchSize()));
            }
        }
        return out;
    }

    /** The peers (and batpak) measured in a scenario of this class, batpak first. */
    private List<AppendSystem> systems(Durability d) {
        return d == Durability.FSYNC ? List.of(batpakFsync, sqliteFull)
                : List.of(batpakNone, chronicle, h2, sqliteNormal);
    }

    /** Configuration text of every system, by name (the raw loops describe themselves per variant). */
    Map<String, String> configurations() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("batpak (every-commit)", batpakFsync.configuration());
        out.put("batpak (none)", batpakNone.configuration());
        out.put(sqliteFull.name(), sqliteFull.configuration());
        out.put(sqliteNormal.name(), sqliteNormal.configuration());
        out.put(h2.name(), h2.configuration());
        out.put(chronicle.name(), chronicle.configuration());
        out.put("raw-force-each", RawFileSystem.forceEach().configuration());
        out.put("raw-force-batched", RawFileSystem.forceEvery(64).configuration().replace("64 write(s)",
                "N write(s) (N = batpak's average group commit size in the same round)"));
        out.put("raw-group-write", RawFileSystem.groupWrite(64).configuration().replace("64 frame(s)",
                "N frames (N = batpak's average group commit size in the same round)"));
        out.put("raw-no-force", RawFileSystem.noForce().configuration());
        out.put("raw-batch-force", RawFileSystem.batch(800, 1, true).configuration().replace("800 frame(s)",
                "N frames (N = batpak's average group commit size in the same round, whole batches)"));
        out.put("raw-batch-no-force", RawFileSystem.batch(plan.batchSize(), 1, false).configuration());
        return out;
    }

    /** Restricts the run to scenarios whose id matches {@code scenarioRegex} and to the named systems (for profiling). */
    void filter(String scenarioRegex, String systemNames) {
        only = scenarioRegex == null ? null : java.util.regex.Pattern.compile(scenarioRegex);
        onlySystems = systemNames == null ? null : java.util.Set.of(systemNames.split(","));
    }

    private boolean selected(Scenario s) {
        return only == null || only.matcher(s.id()).find();
    }

    private boolean selected(AppendSystem sys) {
        return onlySystems == null || onlySystems.contains(sys.name());
    }

    Map<String, Cell> cells() {
        return cells;
    }

    Cell cell(Scenario s, String system) {
        return cells.get(s.id() + "|" + system);
    }

    private Cell cell(Scenario s, AppendSystem sys) {
        return cells.computeIfAbsent(s.id() + "|" + sys.name(), k -> new Cell(s, sys.name(), sys.configuration(), plan.rounds()));
    }

    /** Scenario that holds the single-thread raw loops (a) and (c) for a payload. */
    static Scenario rawScenario(Durability d, int payload) {
        return new Scenario(d, 1, payload, 1);
    }

    /**
     * Unrecorded load on every system so class loading and the JIT are done before round 1: a third of the time each
     * for batpak under EVERY_COMMIT and NONE (the most code to compile), the rest shared by the others.
     */
    void jvmWarmup() throws Exception {
        if (plan.jvmWarmupMillis() <= 0) {
            return;
        }
        List<AppendSystem> all = List.of(batpakFsync, batpakNone, chronicle, h2, sqliteNormal, sqliteFull,
                RawFileSystem.noForce());
        long total = plan.jvmWarmupMillis();
        for (AppendSystem sys : all) {
            long each = sys == batpakFsync || sys == batpakNone ? total / 3 : total / 3 / (all.size() - 2);
            Scenario s = new Scenario(Durability.NO_FSYNC, Plan.TARGET_APPENDERS, Plan.TARGET_PAYLOAD, 1);
            Path dir = dataRoot.resolve("warmup").resolve(sys.name());
            int threads = sys instanceof RawFileSystem ? 1 : s.appenders();
            try (AppendSystem.Session session = sys.open(dir, s)) {
                Driver.run(session, threads, each / 2, each / 2);
            } finally {
                Files2.deleteTree(dir);
            }
        }
        log.printf("JVM warm-up done (%d ms on %d systems)%n", plan.jvmWarmupMillis(), all.size());
    }

    void run() throws Exception {
        for (int round = 0; round < plan.rounds(); round++) {
            log.printf("== append round %d of %d%n", round + 1, plan.rounds());
            for (Scenario s : appendScenarios()) {
                if (selected(s)) {
                    runScenario(round, s);
                }
            }
            for (Scenario s : batchScenarios()) {
                if (selected(s)) {
                    runScenario(round, s);
                }
            }
        }
    }

    /**
     * Runs batpak and the peers of a scenario in an order rotated by round. The single-thread raw loops (a) and (c)
     * take part in the rotation of the one-appender scenarios; the raw loop at batpak's group size (b) runs right
     * after them, since it needs the group size batpak reached in this round.
     */
    private void runScenario(int round, Scenario s) throws Exception {
        List<AppendSystem> order = new ArrayList<>(systems(s.durability()));
        if (s.appenders() == 1 && !s.isBatch()) {
            order.add(s.durability() == Durability.FSYNC ? RawFileSystem.forceEach() : RawFileSystem.noForce());
        }
        Collections.rotate(order, round);
        double group = Double.NaN;
        for (AppendSystem sys : order) {
            Driver.Sample sample = measure(round, s, sys, sys instanceof RawFileSystem ? 1 : s.appenders(), Double.NaN);
            if (sys == batpakFsync && sample != null) {
                Long appends = sample.counterDeltas().get("appends");
                Long groups = sample.counterDeltas().get("groupCommits");
                if (appends != null && groups != null && groups > 0) {
                    group = appends / (double) groups;
                }
            }
        }
        if (s.durability() == Durability.FSYNC) {
            // Events per force batpak reached; the raw loop forces after as many (rounded to whole batches).
            int per = s.batch();
            int writes = Double.isNaN(group) ? s.appenders() : Math.max(1, (int) Math.round(group / per));
            if (s.isBatch()) {
                measure(round, s, RawFileSystem.batch(writes * per, 1, true), 1, writes * per);
            } else if (writes > 1 || s.appenders() > 1) {
                List<RawFileSystem> raws = new ArrayList<>(List.of(RawFileSystem.forceEvery(writes),
                        RawFileSystem.groupWrite(writes)));
                Collections.rotate(raws, round);
                for (RawFileSystem raw : raws) {
                    measure(round, s, raw, 1, writes);
                }
            }
        } else if (s.isBatch()) {
            measure(round, s, RawFileSystem.batch(s.batch(), 1, false), 1, Double.NaN);
        }
    }

    private Driver.Sample measure(int round, Scenario s, AppendSystem sys, int threads, double forceEvery)
            throws Exception {
        if (!selected(sys)) {
            return null;
        }
        Cell cell = cell(s, sys);
        Path dir = dataRoot.resolve("r" + round).resolve(s.id().replace('/', '_')).resolve(sys.name());
        Settle.flush();
        Driver.Sample sample = null;
        try (AppendSystem.Session session = sys.open(dir, s)) {
            sample = Driver.run(session, threads, plan.warmupMillis(), plan.measureMillis());
            cell.add(round, sample);
            cell.forceEvery[round] = forceEvery;
        } catch (Exception | LinkageError e) {
            cell.errors.add("round " + (round + 1) + ": " + e);
            log.printf("   %-40s %-20s FAILED: %s%n", s.id(), sys.name(), e);
            sample = null;
        } finally {
            Files2.deleteTree(dir);
        }
        if (sample != null) {
            log.println(String.format(Locale.ROOT, "   %-40s %-20s %,12.0f ev/s  p50 %,9.1f us  p99 %,9.1f us%s",
                    s.id(), sys.name() + (Double.isNaN(forceEvery) ? "" : "(" + (int) forceEvery + ")"),
                    sample.eventsPerSec(), sample.latencyNanos().getValueAtPercentile(50) / 1e3,
                    sample.latencyNanos().getValueAtPercentile(99) / 1e3, extra(sample)));
        }
        System.gc();
        return sample;
    }

    private static String extra(Driver.Sample s) {
        Long fsyncs = s.counterDeltas().get("fsyncs");
        Long appends = s.counterDeltas().get("appends");
        Long groups = s.counterDeltas().get("groupCommits");
        if (fsyncs == null || appends == null || appends == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "  fsyncs/ev %.3f  group %.1f", fsyncs / (double) appends,
                groups == 0 ? 0 : appends / (double) groups);
    }
}
