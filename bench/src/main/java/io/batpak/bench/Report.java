package io.batpak.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns a run's measurements into results.json, the Markdown tables and the target verdicts. */
final class Report {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A goal and how the run measured against it; {@code pass} is null when it could not be measured. */
    record Target(String id, String goal, String measured, double ratio, String ratioMeaning, Boolean pass) {
    }

    final Plan plan;
    final String timestamp;
    final Map<String, Object> machine;
    final AppendMatrix matrix;
    final ReadBench reads;
    final StreamBench streams;
    final List<Micro.Score> micro;
    final String sqliteMode;
    double totalSeconds;
    String microError;

    Report(Plan plan, String timestamp, Map<String, Object> machine, AppendMatrix matrix, ReadBench reads,
           StreamBench streams, List<Micro.Score> micro, String sqliteMode) {
        this.plan = plan;
        this.timestamp = timestamp;
        this.machine = machine;
        this.matrix = matrix;
        this.reads = reads;
        this.streams = streams;
        this.micro = micro;
        this.sqliteMode = sqliteMode;
    }

    // ---------------------------------------------------------------- lookups

    /** The systems measured in a scenario, in display order. */
    List<Cell> cells(Scenario s) {
        List<Cell> out = new ArrayList<>();
        for (String name : List.of("batpak", "chronicle-queue", "h2", "sqlite-wal-normal", "sqlite-wal-full")) {
            Cell c = matrix.cell(s, name);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    /** The physical-limit cell a scenario's figures are compared with. */
    Cell limit(Scenario s) {
        if (s.isBatch()) {
            return matrix.cell(s, s.durability() == Durability.FSYNC ? "raw-batch-force" : "raw-batch-no-force");
        }
        if (s.durability() == Durability.FSYNC) {
            Cell group = matrix.cell(s, "raw-group-write");
            return group != null ? group : matrix.cell(AppendMatrix.rawScenario(Durability.FSYNC, s.payload()),
                    "raw-force-each");
        }
        return matrix.cell(AppendMatrix.rawScenario(Durability.NO_FSYNC, s.payload()), "raw-no-force");
    }

    /** raw-force-each for the payload of a fsync scenario, null otherwise. */
    Cell forceEach(Scenario s) {
        return s.durability() == Durability.FSYNC && !s.isBatch()
                ? matrix.cell(AppendMatrix.rawScenario(Durability.FSYNC, s.payload()), "raw-force-each") : null;
    }

    private Cell find(Durability d, int appenders, int payload, String system) {
        return matrix.cell(new Scenario(d, appenders, payload, 1), system);
    }

    // ---------------------------------------------------------------- targets

    List<Target> targets() {
        List<Target> t = new ArrayList<>();
        int a = Plan.TARGET_APPENDERS;
        int p = Plan.TARGET_PAYLOAD;
        Cell ec = find(Durability.FSYNC, a, p, "batpak");
        Cell rawB = find(Durability.FSYNC, a, p, "raw-force-batched");
        Cell sqlite = find(Durability.FSYNC, a, p, "sqlite-wal-full");
        Cell none = find(Durability.NO_FSYNC, a, p, "batpak");
        Cell cq = find(Durability.NO_FSYNC, a, p, "chronicle-queue");
        Cell one = find(Durability.FSYNC, 1, p, "batpak");
        Cell rawA = matrix.cell(AppendMatrix.rawScenario(Durability.FSYNC, p), "raw-force-each");

        Cell rawG = find(Durability.FSYNC, a, p, "raw-group-write");
        if (ok(ec, rawB)) {
            double r = ec.pairedRatio(rawB);
            t.add(new Target("ec64-vs-raw-batched", "EVERY_COMMIT, 64 appenders, 100 B: >= 50% of the raw loop forcing "
                    + "every N writes, N = batpak's average group commit size",
                    fmt("%,.0f ev/s vs %,.0f ev/s (N = %.0f)%s", ec.eventsPerSec(), rawB.eventsPerSec(), rawB.forceEvery(),
                            ok(rawG) ? fmt("; vs one write of N frames + force: %,.0f ev/s, ratio %.2f",
                                    rawG.eventsPerSec(), ec.pairedRatio(rawG)) : ""),
                    r, "batpak / raw, >= 0.5", r >= 0.5));
        } else {
            t.add(missing("ec64-vs-raw-batched", "EVERY_COMMIT, 64 appenders, 100 B: >= 50% of raw batched force"));
        }
        if (ok(ec, sqlite)) {
            double r = ec.pairedRatio(sqlite);
            t.add(new Target("ec64-vs-sqlite", "EVERY_COMMIT, 64 appenders, 100 B: >= 10x SQLite WAL synchronous=FULL",
                    fmt("%,.0f ev/s vs %,.0f ev/s", ec.eventsPerSec(), sqlite.eventsPerSec()), r,
                    "batpak / SQLite, >= 10", r >= 10));
        } else {
            t.add(missing("ec64-vs-sqlite", "EVERY_COMMIT, 64 appenders, 100 B: >= 10x SQLite WAL FULL"));
        }
        if (ok(none, cq)) {
            double r = none.pairedRatio(cq);
            t.add(new Target("none64-vs-chronicle", "SyncMode NONE, 64 appenders, 100 B: >= 50% of Chronicle Queue",
                    fmt("%,.0f ev/s vs %,.0f ev/s", none.eventsPerSec(), cq.eventsPerSec()), r,
                    "batpak / Chronicle, >= 0.5", r >= 0.5));
        } else {
            t.add(missing("none64-vs-chronicle", "SyncMode NONE, 64 appenders: >= 50% of Chronicle Queue"));
        }
        if (ok(one, rawA) && !Double.isNaN(one.p50()) && !Double.isNaN(rawA.p50())) {
            double r = Cell.pairedRatio(one.p50Micros, rawA.p50Micros);
            t.add(new Target("ec1-p50-vs-raw", "EVERY_COMMIT, 1 appender, 100 B: p50 latency <= 1.3x one raw write+force",
                    fmt("p50 %.1f us vs %.1f us", one.p50(), rawA.p50()), r, "batpak p50 / raw p50, <= 1.3", r <= 1.3));
        } else {
            t.add(missing("ec1-p50-vs-raw", "EVERY_COMMIT, 1 appender: p50 <= 1.3x raw write+force"));
        }
        boolean million = reads != null && reads.events >= 1_000_000;
        String size = reads == null ? "" : fmt(" (store of %,d events)", reads.events);
        if (reads != null && !reads.replayEventsPerSec.isEmpty()) {
            double v = Stats.median(reads.replayEventsPerSec);
            t.add(new Target("replay", "replay >= 1,000,000 events/s from the page cache",
                    fmt("%,.0f events/s%s", v, size), v / 1e6, "measured / 1,000,000", v >= 1e6));
        } else {
            t.add(missing("replay", "replay >= 1,000,000 events/s"));
        }
        if (reads != null && !reads.openWithCkptMillis.isEmpty()) {
            double v = Stats.median(reads.openWithCkptMillis);
            t.add(new Target("open-with-checkpoint", "open of a 1,000,000-event store with its checkpoint < 1 s",
                    fmt("%,.0f ms%s", v, size), v / 1000, "measured / 1000 ms, < 1", million ? v < 1000 : null));
        } else {
            t.add(missing("open-with-checkpoint", "open of 1,000,000 events with checkpoint < 1 s"));
        }
        for (Durability d : Durability.values()) {
            String id = "stalled-subscriber-" + d.label;
            String goal = fmt("%s, 64 appenders, 100 B, one live subscriber that never pulls: >= 90%% of the append "
                    + "throughput with no subscriber", d == Durability.FSYNC ? "EVERY_COMMIT" : "SyncMode NONE");
            StreamBench.Stalled st = streams == null ? null : streams.stalled.get(d);
            if (st != null && st.with.ok() && st.without.ok()) {
                double r = st.ratio();
                StringBuilder rounds = new StringBuilder();
                for (int i = 0; i < st.with.eventsPerSec.length; i++) {
                    rounds.append(i == 0 ? "" : " / ").append(fmt("%.3f", st.with.eventsPerSec[i]
                            / st.without.eventsPerSec[i]));
                }
                t.add(new Target(id, goal, fmt("%,.0f vs %,.0f events/s (per round %s); it dropped %,d events",
                        st.with.eventsPerSec(), st.without.eventsPerSec(), rounds, medianLong(st.dropped)), r,
                        "with / without, >= 0.9", r >= 0.9));
            } else {
                t.add(missing(id, goal));
            }
        }
        return t;
    }

    // ---------------------------------------------------------------- hot-path goals

    /** The CPU-bound paths' goals: each a ratio in one run (medians of per-round ratios) or a measured figure. */
    List<Target> hotPathTargets() {
        List<Target> t = new ArrayList<>();
        int a = Plan.TARGET_APPENDERS;
        int p = Plan.TARGET_PAYLOAD;
        Cell none = find(Durability.NO_FSYNC, a, p, "batpak");
        Cell cq = find(Durability.NO_FSYNC, a, p, "chronicle-queue");
        if (ok(none, cq)) {
            double r = none.pairedRatio(cq);
            t.add(new Target("hot-none64-vs-chronicle", "SyncMode NONE, 64 appenders, 100 B: >= Chronicle Queue",
                    fmt("%,.0f vs %,.0f events/s", none.eventsPerSec(), cq.eventsPerSec()), r,
                    "batpak / Chronicle, >= 1.0", r >= 1.0));
        } else {
            t.add(missing("hot-none64-vs-chronicle", "SyncMode NONE, 64 appenders: >= Chronicle Queue"));
        }
        Cell ec = find(Durability.FSYNC, a, p, "batpak");
        Cell group = find(Durability.FSYNC, a, p, "raw-group-write");
        if (ok(ec, group)) {
            double r = ec.pairedRatio(group);
            t.add(new Target("hot-ec64-vs-raw-group-write", "EVERY_COMMIT, 64 appenders, 100 B: >= 90% of the raw "
                    + "loop writing the same N frames as one write and forcing",
                    fmt("%,.0f vs %,.0f events/s (N = %.0f)", ec.eventsPerSec(), group.eventsPerSec(),
                            group.forceEvery()), r, "batpak / raw-group-write, >= 0.9", r >= 0.9));
        } else {
            t.add(missing("hot-ec64-vs-raw-group-write", "EVERY_COMMIT, 64 appenders: >= 0.9 of raw-group-write"));
        }
        Cell one = find(Durability.FSYNC, 1, p, "batpak");
        Cell rawA = matrix.cell(AppendMatrix.rawScenario(Durability.FSYNC, p), "raw-force-each");
        if (ok(one, rawA) && !Double.isNaN(one.p50()) && !Double.isNaN(rawA.p50())) {
            double r = Cell.pairedRatio(one.p50Micros, rawA.p50Micros);
            t.add(new Target("hot-ec1-p50-vs-raw", "EVERY_COMMIT, 1 appender, 100 B: p50 <= 1.2x one raw write+force",
                    fmt("p50 %.1f us vs %.1f us", one.p50(), rawA.p50()), r, "batpak p50 / raw p50, <= 1.2", r <= 1.2));
        } else {
            t.add(missing("hot-ec1-p50-vs-raw", "EVERY_COMMIT, 1 appender: p50 <= 1.2x raw write+force"));
        }
        Cell sqlite1 = find(Durability.FSYNC, 1, p, "sqlite-wal-full");
        if (ok(one, sqlite1)) {
            double r = one.pairedRatio(sqlite1);
            t.add(new Target("hot-ec1-vs-sqlite", "EVERY_COMMIT, 1 appender, 100 B: events/s >= SQLite WAL "
                    + "synchronous=FULL", fmt("%,.0f vs %,.0f events/s", one.eventsPerSec(), sqlite1.eventsPerSec()),
                    r, "batpak / SQLite, >= 1.0", r >= 1.0));
        } else {
            t.add(missing("hot-ec1-vs-sqlite", "EVERY_COMMIT, 1 appender: >= SQLite WAL FULL"));
        }
        Cell none1 = find(Durability.NO_FSYNC, 1, p, "batpak");
        Cell h2 = find(Durability.NO_FSYNC, 1, p, "h2");
        if (ok(none1, h2)) {
            double r = none1.pairedRatio(h2);
            t.add(new Target("hot-none1-vs-h2", "SyncMode NONE, 1 appender, 100 B: events/s >= H2",
                    fmt("%,.0f vs %,.0f events/s", none1.eventsPerSec(), h2.eventsPerSec()), r, "batpak / H2, >= 1.0",
                    r >= 1.0));
        } else {
            t.add(missing("hot-none1-vs-h2", "SyncMode NONE, 1 appender: >= H2"));
        }
        String size = reads == null ? "" : fmt(" (store of %,d events)", reads.events);
        replayTarget(t, "hot-replay-in-place", "replay in global order, in place (StoreReader.replay with an "
                + "EventHandler): >= 5,000,000 events/s and >= 0.5 of raw read + CRC32C",
                reads == null ? List.of() : reads.inPlaceReplayEventsPerSec, size);
        replayTarget(t, "hot-replay-iterator", "replay in global order, iterator (StoreReader.replay, a StoredEvent "
                + "each): >= 5,000,000 events/s and >= 0.5 of raw read + CRC32C",
                reads == null ? List.of() : reads.sequentialReplayEventsPerSec, size);
        StreamBench.Replay rp = streams == null ? null : streams.replay;
        int batch = StreamBench.CURSOR_BATCHES.get(0);
        if (rp != null && !Double.isNaN(median(rp.cursorEventsPerSec.get(batch)))) {
            double r = rp.ratioToSequential(batch);
            t.add(new Target("hot-cursor-vs-replay", fmt("cursor replay (batch %d) >= 0.9 of the sequential replay "
                    + "(iterator), same store", batch), fmt("%,.0f vs %,.0f events/s (store of %,d events)",
                    median(rp.cursorEventsPerSec.get(batch)), median(rp.sequentialEventsPerSec), rp.events), r,
                    "cursor / replay, >= 0.9", r >= 0.9));
        } else {
            t.add(missing("hot-cursor-vs-replay", "cursor replay >= 0.9 of the sequential replay"));
        }
        if (rp != null && !Double.isNaN(median(rp.cursorEventsPerSec.get(batch)))
                && !Double.isNaN(median(rp.sourceEventsPerSec))) {
            // Context for the goal above: both are streams of one element per event, so this ratio is what the
            // cursor's paging and position tracking cost on top of the element itself.
            double r = Cell.pairedRatio(rp.cursorEventsPerSec.get(batch), rp.sourceEventsPerSec);
            t.add(new Target("hot-cursor-vs-replay-source", fmt("(context, no target) cursor replay (batch %d) "
                    + "against the replay Source, same store", batch), fmt("%,.0f vs %,.0f events/s",
                    median(rp.cursorEventsPerSec.get(batch)), median(rp.sourceEventsPerSec)), r,
                    "cursor / replay Source", null));
        }
        if (rp != null && !Double.isNaN(median(rp.sourceEventsPerSec))) {
            double r = Cell.pairedRatio(rp.sourceEventsPerSec, rp.sequentialEventsPerSec);
            double v = median(rp.sourceEventsPerSec);
            t.add(new Target("hot-replay-source", "replay Source (BatpakStreams.replay): >= 5,000,000 events/s "
                    + "(the store of the cursor replay)", fmt("%,.0f events/s (store of %,d events), %.2f of the "
                    + "iterator on the same store", v, rp.events, r), v / 5e6, "measured / 5,000,000",
                    rp.events >= 1_000_000 ? v >= 5e6 : null));
        } else {
            t.add(missing("hot-replay-source", "replay Source >= 5,000,000 events/s"));
        }
        StreamBench.Fanout f = streams == null ? null : streams.fanout.get(Durability.FSYNC);
        if (f != null && !Double.isNaN(f.appendRatio())) {
            double r = f.appendRatio();
            t.add(new Target("hot-fanout100-ec", fmt("EVERY_COMMIT, %d appenders: appends/s with %d live subscribers "
                    + ">= 0.7 of none", StreamBench.APPENDERS, streams.plan.fanoutSubscribers()),
                    fmt("%,.0f vs %,.0f events/s", median(f.appendWithSubscribers), median(f.appendWithout)), r,
                    "with / without, >= 0.7", r >= 0.7));
        } else {
            t.add(missing("hot-fanout100-ec", "EVERY_COMMIT: appends/s with 100 subscribers >= 0.7 of none"));
        }
        if (reads != null && !reads.indexHeapBytesPerEvent.isEmpty()) {
            double v = Stats.median(reads.indexHeapBytesPerEvent);
            t.add(new Target("hot-index-heap", "index heap per event (no tags) <= 48 B", fmt("%.1f B per event%s", v,
                    size), v / 48, "measured / 48 B, <= 1", reads.events >= 1_000_000 ? v <= 48 : null));
        } else {
            t.add(missing("hot-index-heap", "index heap per event <= 48 B"));
        }
        return t;
    }

    private void replayTarget(List<Target> t, String id, String goal, List<Double> perRound, String size) {
        if (perRound.isEmpty() || reads.rawCrcEventsPerSec.size() != perRound.size()) {
            t.add(missing(id, goal));
            return;
        }
        double[] ratios = new double[perRound.size()];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = perRound.get(i) / reads.rawCrcEventsPerSec.get(i);
        }
        double v = Stats.median(perRound);
        double r = median(ratios);
        t.add(new Target(id, goal, fmt("%,.0f events/s%s, %.2f of raw read + CRC32C (%,.0f events/s)", v, size, r,
                Stats.median(reads.rawCrcEventsPerSec)), r, "replay / raw read + CRC32C, >= 0.5",
                reads.events >= 1_000_000 ? v >= 5e6 && r >= 0.5 : null));
    }

    private void putTargets(ArrayNode into, List<Target> list) {
        for (Target t : list) {
            ObjectNode o = into.addObject();
            o.put("id", t.id());
            o.put("goal", t.goal());
            o.put("measured", t.measured());
            putNum(o, "ratio", t.ratio());
            o.put("ratioMeaning", t.ratioMeaning());
            o.put("result", t.pass() == null ? "n/a" : t.pass() ? "pass" : "miss");
        }
    }

    private static void targetTable(StringBuilder b, String title, List<Target> list) {
        b.append("## ").append(title).append("\n\n| target | measured | ratio | result |\n|---|---|---:|---|\n");
        for (Target t : list) {
            b.append("| ").append(t.goal()).append(" | ").append(t.measured()).append(" | ")
                    .append(Double.isNaN(t.ratio()) ? "-" : fmt("%.2f", t.ratio())).append(" | ")
                    .append(t.pass() == null ? "n/a" : t.pass() ? "**pass**" : "**miss**").append(" |\n");
        }
    }

    /** Median of the reads' sequential replay, NaN when not measured. */
    private double readsSequentialReplay() {
        return reads == null || reads.sequentialReplayEventsPerSec.isEmpty() ? Double.NaN
                : Stats.median(reads.sequentialReplayEventsPerSec);
    }

    private static Target missing(String id, String goal) {
        return new Target(id, goal, "not measured in this run", Double.NaN, "", null);
    }

    private static boolean ok(Cell... cells) {
        for (Cell c : cells) {
            if (c == null || !c.ok()) {
                return false;
            }
        }
        return true;
    }

    static String fmt(String f, Object... args) {
        return String.format(Locale.ROOT, f, args);
    }

    // ---------------------------------------------------------------- JSON

    ObjectNode json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("timestamp", timestamp);
        root.put("mode", plan.mode());
        root.put("totalSeconds", Math.round(totalSeconds));
        ObjectNode settings = root.putObject("settings");
        settings.put("rounds", plan.rounds());
        settings.put("warmupMillis", plan.warmupMillis());
        settings.put("measureMillis", plan.measureMillis());
        settings.put("jvmWarmupMillis", plan.jvmWarmupMillis());
        settings.put("statistic", "median over rounds; ratios are the median of per-round ratios (same round = same "
                + "machine conditions); latency percentiles from HdrHistogram per round, then the median over rounds");
        settings.put("sqliteConnections", sqliteMode);
        root.set("machine", JSON.valueToTree(machine));
        root.set("configurations", JSON.valueToTree(matrix.configurations()));
        ArrayNode scen = root.putArray("scenarios");
        List<Scenario> all = new ArrayList<>(matrix.appendScenarios());
        all.addAll(matrix.batchScenarios());
        for (Scenario s : all) {
            scen.add(scenarioJson(s));
        }
        if (reads != null) {
            root.set("reads", readsJson());
        }
        if (streams != null) {
            root.set("streams", streamsJson());
        }
        putTargets(root.putArray("targets"), targets());
        putTargets(root.putArray("hotPathTargets"), hotPathTargets());
        if (microError != null) {
            root.put("microError", microError);
        }
        ArrayNode m = root.putArray("micro");
        for (Micro.Score s : micro) {
            ObjectNode o = m.addObject();
            o.put("benchmark", s.benchmark());
            o.set("params", JSON.valueToTree(s.params()));
            putNum(o, "score", s.score());
            putNum(o, "error", s.error());
            o.put("unit", s.unit());
        }
        return root;
    }

    private ObjectNode scenarioJson(Scenario s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", s.id());
        o.put("kind", s.isBatch() ? "atomic-batch" : "append");
        o.put("durability", s.durability().name());
        o.put("batpakSyncMode", s.durability() == Durability.FSYNC ? "EVERY_COMMIT" : "NONE");
        o.put("appenders", s.appenders());
        o.put("payloadBytes", s.payload());
        o.put("eventsPerOperation", s.batch());
        o.put("frameBytes", RawFileSystem.frameSize(s));
        List<Cell> rows = new ArrayList<>(cells(s));
        Cell limit = limit(s);
        Cell each = forceEach(s) == limit ? null : forceEach(s);
        if (limit != null) {
            ObjectNode l = o.putObject("physicalLimit");
            l.put("system", limit.system);
            putNum(l, "eventsPerSec", limit.eventsPerSec());
            if (!Double.isNaN(limit.forceEvery())) {
                putNum(l, "forceEveryNWrites", limit.forceEvery());
            }
        }
        List<Cell> listed = new ArrayList<>(rows);
        if (limit != null) {
            listed.add(limit);
        }
        Cell batched = matrix.cell(s, "raw-force-batched");
        if (batched != null) {
            listed.add(batched);
        }
        if (each != null) {
            listed.add(each);
        }
        ArrayNode results = o.putArray("results");
        for (Cell c : listed) {
            ObjectNode r = results.addObject();
            r.put("system", c.system);
            putNum(r, "eventsPerSec", c.eventsPerSec());
            ArrayNode perRound = r.putArray("eventsPerSecRounds");
            for (double v : c.eventsPerSec) {
                if (Double.isNaN(v)) {
                    perRound.addNull();
                } else {
                    perRound.add(Math.round(v));
                }
            }
            ObjectNode lat = r.putObject("latencyMicros");
            putNum(lat, "p50", c.p50());
            putNum(lat, "p99", c.p99());
            putNum(lat, "p99.9", c.p999());
            lat.put("per", s.isBatch() ? "operation (one atomic batch)"
                    : c.system.equals("raw-force-batched") ? "operation (N writes + 1 force)"
                    : c.system.equals("raw-group-write") ? "operation (1 write of N frames + 1 force)" : "event");
            if (!Double.isNaN(c.fsyncsPerEvent())) {
                putNum(r, "fsyncsPerEvent", c.fsyncsPerEvent());
            }
            if (!Double.isNaN(c.groupCommitSize())) {
                putNum(r, "avgGroupCommitSize", c.groupCommitSize());
            }
            if (!Double.isNaN(c.forceEvery())) {
                putNum(r, "forceEveryNWrites", c.forceEvery());
            }
            if (limit != null && limit != c) {
                putNum(r, "ratioToPhysicalLimit", c.pairedRatio(limit));
            }
            if (each != null && each != c) {
                putNum(r, "ratioToRawForceEach", c.pairedRatio(each));
            }
            ObjectNode peers = r.putObject("ratioTo");
            for (Cell other : rows) {
                if (other != c) {
                    putNum(peers, other.system, c.pairedRatio(other));
                }
            }
            if (!c.errors.isEmpty()) {
                r.set("errors", JSON.valueToTree(c.errors));
            }
        }
        return o;
    }

    private ObjectNode readsJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("events", reads.events);
        o.put("segmentBytes", reads.bytes);
        o.put("payloadBytes", ReadBench.PAYLOAD);
        o.put("eventsPerEntity", ReadBench.EVENTS_PER_ENTITY);
        putNum(o, "buildEventsPerSec", reads.buildEventsPerSec);
        putMedian(o, "rawSequentialReadEventsPerSec", reads.rawReadEventsPerSec);
        putMedian(o, "rawSequentialReadMBps", reads.rawReadMBps);
        putMedian(o, "rawReadWithCrcEventsPerSec", reads.rawCrcEventsPerSec);
        putMedian(o, "replayEventsPerSec", reads.replayEventsPerSec);
        if (!reads.replayEventsPerSec.isEmpty() && !reads.rawReadEventsPerSec.isEmpty()) {
            putNum(o, "replayRatioToRawRead", Stats.median(reads.replayEventsPerSec)
                    / Stats.median(reads.rawReadEventsPerSec));
        }
        putMedian(o, "sequentialReplayEventsPerSec", reads.sequentialReplayEventsPerSec);
        if (!reads.sequentialReplayEventsPerSec.isEmpty() && !reads.rawCrcEventsPerSec.isEmpty()) {
            putNum(o, "sequentialReplayRatioToRawReadWithCrc", Stats.median(reads.sequentialReplayEventsPerSec)
                    / Stats.median(reads.rawCrcEventsPerSec));
        }
        putMedian(o, "inPlaceReplayEventsPerSec", reads.inPlaceReplayEventsPerSec);
        if (!reads.inPlaceReplayEventsPerSec.isEmpty() && !reads.rawCrcEventsPerSec.isEmpty()) {
            putNum(o, "inPlaceReplayRatioToRawReadWithCrc", Stats.median(reads.inPlaceReplayEventsPerSec)
                    / Stats.median(reads.rawCrcEventsPerSec));
        }
        putMedian(o, "replayByEntityEventsPerSec", reads.replayByEntityEventsPerSec);
        ObjectNode re = o.putObject("readEntity100Micros");
        putMedian(re, "p50", reads.readEntityP50);
        putMedian(re, "p99", reads.readEntityP99);
        putMedian(re, "p99.9", reads.readEntityP999);
        putMedian(o, "openWithCheckpointMillis", reads.openWithCkptMillis);
        putMedian(o, "openWithCheckpointRecoveryMillis", reads.openWithCkptRecoveryMillis);
        putMedian(o, "openWithoutCheckpointMillis", reads.openWithoutCkptMillis);
        putMedian(o, "openWithoutCheckpointRecoveryMillis", reads.openWithoutCkptRecoveryMillis);
        putMedian(o, "indexHeapBytesPerEvent", reads.indexHeapBytesPerEvent);
        o.put("notes", "replay = StoreCore.readAt(g) for every global sequence (CRC32C-checked, decoded); sequential "
                + "replay = StoreReader.replay(Region.all(), -1) (segments read in large chunks, frames CRC32C-checked "
                + "and decoded); replay by "
                + "entity = BatpakStore.readEntity of every entity; open = wall time of BatpakStore.open(config) "
                + "including its own ActorSystem, recovery = StoreStats.openMillis; page cache warm");
        if (!reads.errors.isEmpty()) {
            o.set("errors", JSON.valueToTree(reads.errors));
        }
        return o;
    }

    private ObjectNode streamsJson() {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode fan = o.putArray("fanout");
        for (StreamBench.Fanout f : streams.fanout.values()) {
            ObjectNode n = fan.addObject();
            n.put("durability", f.durability.name());
            n.put("batpakSyncMode", f.durability == Durability.FSYNC ? "EVERY_COMMIT" : "NONE");
            n.put("subscribers", plan.fanoutSubscribers());
            n.put("region", "Region.all()");
            n.put("bufferSize", StreamBench.FANOUT_BUFFER);
            n.put("overflowPolicy", "drop-newest");
            n.put("appenders", StreamBench.APPENDERS);
            n.put("payloadBytes", StreamBench.PAYLOAD);
            n.put("eventsPerMeasurement", plan.fanoutEvents());
            putRounds(n, "deliveriesPerSec", f.deliveriesPerSec);
            putRounds(n, "sourceEventsPerSec", f.sourceEventsPerSec);
            ObjectNode lat = n.putObject("appendToDeliveryLatencyMicros");
            putNum(lat, "p50", median(f.p50Micros));
            putNum(lat, "p99", median(f.p99Micros));
            putNum(lat, "p99.9", median(f.p999Micros));
            putNum(n, "catchUpAfterLastAppendMillis", median(f.catchUpMillis));
            ObjectNode paced = n.putObject("paced");
            paced.put("appendsPerSec", StreamBench.PACED_RATE);
            paced.put("events", streams.pacedEvents());
            paced.put("issuer", "one thread, open loop, 64 entities");
            ObjectNode pl = paced.putObject("appendToDeliveryLatencyMicros");
            putNum(pl, "p50", median(f.pacedP50Micros));
            putNum(pl, "p99", median(f.pacedP99Micros));
            putNum(pl, "p99.9", median(f.pacedP999Micros));
            paced.set("droppedRounds", JSON.valueToTree(f.pacedDropped));
            ObjectNode pa = paced.putObject("appendToAckLatencyMicros");
            putNum(pa, "p50", median(f.pacedAckP50Micros));
            putNum(pa, "p99", median(f.pacedAckP99Micros));
            ObjectNode cl = n.putObject("liveCursorPaced").putObject("appendToDeliveryLatencyMicros");
            putNum(cl, "p50", median(f.cursorP50Micros));
            putNum(cl, "p99", median(f.cursorP99Micros));
            putNum(cl, "p99.9", median(f.cursorP999Micros));
            putRounds(n, "appendEventsPerSecWithSubscribers", f.appendWithSubscribers);
            putRounds(n, "appendEventsPerSecWithoutSubscribers", f.appendWithout);
            putNum(n, "appendRatioWithToWithout", f.appendRatio());
            n.set("deliveredRounds", JSON.valueToTree(f.delivered));
            n.set("droppedRounds", JSON.valueToTree(f.dropped));
        }
        ArrayNode stalled = o.putArray("stalledSubscriber");
        for (StreamBench.Stalled st : streams.stalled.values()) {
            ObjectNode n = stalled.addObject();
            n.put("durability", st.durability.name());
            n.put("batpakSyncMode", st.durability == Durability.FSYNC ? "EVERY_COMMIT" : "NONE");
            n.put("appenders", st.with.scenario.appenders());
            n.put("payloadBytes", st.with.scenario.payload());
            n.put("stalledSubscriberBufferSize", streams.stalledBuffer);
            putRounds(n, "eventsPerSecWithout", st.without.eventsPerSec);
            putRounds(n, "eventsPerSecWithStalledSubscriber", st.with.eventsPerSec);
            ObjectNode lat = n.putObject("appendLatencyMicrosWithout");
            putNum(lat, "p50", st.without.p50());
            putNum(lat, "p99", st.without.p99());
            putNum(lat, "p99.9", st.without.p999());
            lat = n.putObject("appendLatencyMicrosWithStalledSubscriber");
            putNum(lat, "p50", st.with.p50());
            putNum(lat, "p99", st.with.p99());
            putNum(lat, "p99.9", st.with.p999());
            putNum(n, "ratio", st.ratio());
            n.put("ratioMeaning", "median of per-round (with / without)");
            n.set("stalledBufferedRounds", JSON.valueToTree(st.delivered));
            n.set("stalledDroppedRounds", JSON.valueToTree(st.dropped));
            n.set("eventsStoredRounds", JSON.valueToTree(st.events));
            putRounds(n, "fanoutCpuNanosPerEventWithout", st.fanoutCpuWithout);
            putRounds(n, "fanoutCpuNanosPerEventWithStalledSubscriber", st.fanoutCpuWith);
        }
        ObjectNode r = o.putObject("cursorReplay");
        StreamBench.Replay rp = streams.replay;
        r.put("events", rp.events);
        r.put("replaysPerMeasurement", rp.passes);
        r.put("segmentBytes", rp.bytes);
        r.put("payloadBytes", StreamBench.PAYLOAD);
        r.put("region", "Region.all()");
        r.put("sink", "Sink.foreach counting events and checking global-sequence order");
        putNum(r, "buildEventsPerSec", rp.buildEventsPerSec);
        putRounds(r, "sequentialReplaySameStoreEventsPerSec", rp.sequentialEventsPerSec);
        putRounds(r, "replaySourceSameStoreEventsPerSec", rp.sourceEventsPerSec);
        putRounds(r, "cursorIndexPagesOnlyEventsPerSec", rp.indexCursorEventsPerSec);
        putRounds(r, "unfoldResourceSameStoreEventsPerSec", rp.unfoldEventsPerSec);
        putNum(r, "replaySourceRatioToSequentialReplay", Cell.pairedRatio(rp.sourceEventsPerSec,
                rp.sequentialEventsPerSec));
        ArrayNode batches = r.putArray("batches");
        double readsReplay = readsSequentialReplay();
        for (Map.Entry<Integer, double[]> e : rp.cursorEventsPerSec.entrySet()) {
            ObjectNode b = batches.addObject();
            b.put("batchSize", e.getKey());
            putRounds(b, "eventsPerSec", e.getValue());
            putNum(b, "ratioToSequentialReplaySameStore", rp.ratioToSequential(e.getKey()));
            putNum(b, "ratioToReadsReplay", median(e.getValue()) / readsReplay);
        }
        r.put("notes", "the store is built, closed and reopened in this process, so the page cache is warm (dropping "
                + "it needs root); the open is not timed. ratioToSequentialReplaySameStore: median of per-round ratios to "
                + "StoreReader.replay's iterator over the same store; ratioToReadsReplay: against the reads' sequential "
                + "replay median (a store of reads.events events)");
        if (!streams.errors.isEmpty()) {
            o.set("errors", JSON.valueToTree(streams.errors));
        }
        return o;
    }

    private static double median(double[] a) {
        return Stats.median(Cell.list(a));
    }

    static long medianLong(long[] a) {
        List<Double> l = new ArrayList<>();
        for (long v : a) {
            if (v >= 0) {
                l.add((double) v);
            }
        }
        double m = Stats.median(l);
        return Double.isNaN(m) ? -1 : Math.round(m);
    }

    private static void putRounds(ObjectNode o, String key, double[] rounds) {
        putNum(o, key, median(rounds));
        ArrayNode a = o.putArray(key + "Rounds");
        for (double v : rounds) {
            if (Double.isNaN(v)) {
                a.addNull();
            } else {
                a.add(v >= 1000 ? Math.round(v) : Math.round(v * 1000) / 1000.0);
            }
        }
    }

    private static void putMedian(ObjectNode o, String key, List<Double> values) {
        putNum(o, key, Stats.median(values));
    }

    private static void putNum(ObjectNode o, String key, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            o.putNull(key);
        } else if (Math.abs(v) >= 1000) {
            o.put(key, Math.round(v));
        } else {
            o.put(key, Math.round(v * 1000) / 1000.0);
        }
    }

    // ---------------------------------------------------------------- Markdown

    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# batpak-jvm benchmark results (").append(plan.mode()).append(" mode, ").append(timestamp).append(")\n\n");
        b.append(fmt("%d rounds; each measurement: %d ms warm-up, %d ms window; figures are medians over rounds, ratios "
                        + "the median of per-round ratios. Machine: %s, %s cores, %s, %s. Total run time %.0f s.%n%n",
                plan.rounds(), plan.warmupMillis(), plan.measureMillis(), machine.get("cpuModel"), machine.get("cores"),
                machine.get("memory"), machine.get("jdk"), totalSeconds));
        targetTable(b, "Targets", targets());
        b.append("\n");
        targetTable(b, "Hot-path goals", hotPathTargets());
        for (Durability d : Durability.values()) {
            for (int payload : plan.payloads()) {
                pivot(b, d, payload);
            }
        }
        b.append("\n## Every measurement\n\nLatency is per event for single appends, per operation for batches and for "
                + "the raw group loops (N frames + 1 force). \"vs limit\" is this system's events/s over the physical "
                + "limit of the scenario: raw-group-write (one write of N frames + force, N = batpak's group size), "
                + "raw-force-each for one appender, raw-no-force, or the raw batch loop.\n\n");
        b.append("| scenario | system | events/s | p50 us | p99 us | p99.9 us | vs limit | batpak / this | fsyncs/event | group size |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        List<Scenario> all = new ArrayList<>(matrix.appendScenarios());
        all.addAll(matrix.batchScenarios());
        for (Scenario s : all) {
            Cell limit = limit(s);
            Cell batpak = matrix.cell(s, "batpak");
            List<Cell> rows = new ArrayList<>(cells(s));
            if (limit != null) {
                rows.add(limit);
            }
            Cell batched = matrix.cell(s, "raw-force-batched");
            if (batched != null) {
                rows.add(batched);
            }
            Cell each = forceEach(s);
            if (each != null && each != limit) {
                rows.add(each);
            }
            for (Cell c : rows) {
                b.append("| ").append(s.id()).append(" | ").append(c.system)
                        .append(Double.isNaN(c.forceEvery()) ? "" : fmt(" (N=%.0f)", c.forceEvery()))
                        .append(" | ").append(num(c.eventsPerSec())).append(" | ").append(dec(c.p50())).append(" | ")
                        .append(dec(c.p99())).append(" | ").append(dec(c.p999())).append(" | ")
                        .append(limit != null && limit != c ? ratio(c.pairedRatio(limit)) : "-").append(" | ")
                        .append(batpak != null && batpak != c ? ratio(batpak.pairedRatio(c)) : "-").append(" | ")
                        .append(dec3(c.fsyncsPerEvent())).append(" | ").append(dec(c.groupCommitSize()))
                        .append(c.errors.isEmpty() ? "" : " (errors: " + c.errors.size() + ")").append(" |\n");
            }
        }
        if (reads != null) {
            b.append(fmt("%n## Reads (store of %,d events, %,d MiB of segments, %d-byte payloads, %d events per entity)%n%n",
                    reads.events, reads.bytes >> 20, ReadBench.PAYLOAD, ReadBench.EVENTS_PER_ENTITY));
            b.append("| measurement | median |\n|---|---:|\n");
            b.append("| raw sequential read of the segment files | ").append(num(Stats.median(reads.rawReadEventsPerSec)))
                    .append(" events/s (").append(num(Stats.median(reads.rawReadMBps))).append(" MB/s) |\n");
            b.append("| raw read + CRC32C of every frame | ").append(num(Stats.median(reads.rawCrcEventsPerSec))).append(" events/s |\n");
            b.append("| replay in global order (StoreCore.readAt) | ").append(num(Stats.median(reads.replayEventsPerSec)))
                    .append(" events/s (").append(ratio(Stats.median(reads.replayEventsPerSec)
                            / Stats.median(reads.rawReadEventsPerSec))).append(" of raw read) |\n");
            if (!reads.sequentialReplayEventsPerSec.isEmpty()) {
                b.append("| sequential replay in global order (StoreReader.replay) | ")
                        .append(num(Stats.median(reads.sequentialReplayEventsPerSec))).append(" events/s (")
                        .append(ratio(Stats.median(reads.sequentialReplayEventsPerSec)
                                / Stats.median(reads.rawCrcEventsPerSec))).append(" of raw read + CRC32C) |\n");
            }
            if (!reads.inPlaceReplayEventsPerSec.isEmpty()) {
                b.append("| in-place replay (StoreReader.replay with an EventHandler) | ")
                        .append(num(Stats.median(reads.inPlaceReplayEventsPerSec))).append(" events/s (")
                        .append(ratio(Stats.median(reads.inPlaceReplayEventsPerSec)
                                / Stats.median(reads.rawCrcEventsPerSec))).append(" of raw read + CRC32C) |\n");
            }
            b.append("| replay by entity (BatpakStore.readEntity) | ").append(num(Stats.median(reads.replayByEntityEventsPerSec))).append(" events/s |\n");
            b.append("| readEntity of a 100-event entity | p50 ").append(dec(Stats.median(reads.readEntityP50)))
                    .append(" us, p99 ").append(dec(Stats.median(reads.readEntityP99))).append(" us, p99.9 ")
                    .append(dec(Stats.median(reads.readEntityP999))).append(" us |\n");
            b.append("| open with index.ckpt (BatpakStore.open wall time / recovery) | ")
                    .append(dec(Stats.median(reads.openWithCkptMillis))).append(" ms / ")
                    .append(dec(Stats.median(reads.openWithCkptRecoveryMillis))).append(" ms |\n");
            b.append("| open without index.ckpt (full scan) | ").append(dec(Stats.median(reads.openWithoutCkptMillis)))
                    .append(" ms / ").append(dec(Stats.median(reads.openWithoutCkptRecoveryMillis))).append(" ms |\n");
            if (!reads.indexHeapBytesPerEvent.isEmpty()) {
                b.append("| heap of the open store per event (index, no tags) | ")
                        .append(dec(Stats.median(reads.indexHeapBytesPerEvent))).append(" B |\n");
            }
            b.append("| building the store (atomic batches of 1000, SyncMode NONE) | ").append(num(reads.buildEventsPerSec))
                    .append(" events/s |\n");
        }
        if (streams != null) {
            streamsMarkdown(b);
        }
        if (microError != null) {
            b.append("\n## JMH micro-benchmarks\n\nFailed: ").append(microError).append("\n");
        }
        if (!micro.isEmpty()) {
            b.append("\n## JMH micro-benchmarks\n\n| benchmark | params | score | unit |\n|---|---|---:|---|\n");
            for (Micro.Score s : micro) {
                b.append("| ").append(s.benchmark()).append(" | ").append(s.params().isEmpty() ? "-" : s.params().toString())
                        .append(" | ").append(fmt("%.3f ± %.3f", s.score(), s.error())).append(" | ").append(s.unit()).append(" |\n");
            }
        }
        b.append("\n## Configurations\n\n");
        for (Map.Entry<String, String> e : matrix.configurations().entrySet()) {
            b.append("- **").append(e.getKey()).append("**: ").append(e.getValue()).append("\n");
        }
        return b.toString();
    }

    private void streamsMarkdown(StringBuilder b) {
        b.append(fmt("%n## Stream delivery%n%nFan-out: %d live subscriptions on Region.all() (buffer %,d, drop-newest), "
                        + "%d appenders appending %,d events of %d B; latency from the append call to the subscriber's "
                        + "sink. Appends with subscribers are compared with the same appends and no subscriber. "
                        + "Paced: %,d events appended at %,d events/s from one thread (open loop).%n%n",
                plan.fanoutSubscribers(), StreamBench.FANOUT_BUFFER, StreamBench.APPENDERS, plan.fanoutEvents(),
                StreamBench.PAYLOAD, streams.pacedEvents(), StreamBench.PACED_RATE));
        b.append("| sync mode | deliveries/s (all subscribers) | source events/s | latency p50 / p99 / p99.9 us "
                + "| catch-up after last append | dropped | appends/s with / without subscribers | ratio "
                + "| paced: latency p50 / p99 / p99.9 us | paced: append ack p50 / p99 us "
                + "| paced, one live cursor: latency p50 / p99 / p99.9 us |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (StreamBench.Fanout f : streams.fanout.values()) {
            b.append("| ").append(f.durability.label).append(" | ").append(num(median(f.deliveriesPerSec)))
                    .append(" | ").append(num(median(f.sourceEventsPerSec))).append(" | ")
                    .append(dec(median(f.p50Micros))).append(" / ").append(dec(median(f.p99Micros))).append(" / ")
                    .append(dec(median(f.p999Micros))).append(" | ").append(dec(median(f.catchUpMillis)))
                    .append(" ms | ").append(medianLong(f.dropped)).append(" | ")
                    .append(num(median(f.appendWithSubscribers))).append(" / ").append(num(median(f.appendWithout)))
                    .append(" | ").append(ratio(f.appendRatio())).append(" | ").append(dec(median(f.pacedP50Micros)))
                    .append(" / ").append(dec(median(f.pacedP99Micros))).append(" / ")
                    .append(dec(median(f.pacedP999Micros))).append(" | ").append(dec(median(f.pacedAckP50Micros)))
                    .append(" / ").append(dec(median(f.pacedAckP99Micros))).append(" | ")
                    .append(dec(median(f.cursorP50Micros))).append(" / ").append(dec(median(f.cursorP99Micros)))
                    .append(" / ").append(dec(median(f.cursorP999Micros))).append(" |\n");
        }
        b.append(fmt("%nStalled subscriber: %d appenders, %d B, one subscription (buffer %,d, drop-newest) whose "
                        + "consumer never requests, against none; the append matrix's warm-up and window.%n%n",
                StreamBench.APPENDERS, StreamBench.PAYLOAD, streams.stalledBuffer));
        b.append("| sync mode | events/s without | with stalled subscriber | ratio (median of rounds) "
                + "| p99 us without / with | stalled: buffered / dropped | fan-out CPU ns/event without / with |\n"
                + "|---|---:|---:|---:|---:|---:|---:|\n");
        for (StreamBench.Stalled st : streams.stalled.values()) {
            b.append("| ").append(st.durability.label).append(" | ").append(num(st.without.eventsPerSec()))
                    .append(" | ").append(num(st.with.eventsPerSec())).append(" | ").append(ratio(st.ratio()))
                    .append(" | ").append(dec(st.without.p99())).append(" / ").append(dec(st.with.p99()))
                    .append(" | ").append(medianLong(st.delivered)).append(" / ").append(fmt("%,d",
                            medianLong(st.dropped))).append(" | ").append(dec(median(st.fanoutCpuWithout)))
                    .append(" / ").append(dec(median(st.fanoutCpuWith))).append(" |\n");
        }
        StreamBench.Replay rp = streams.replay;
        double readsReplay = readsSequentialReplay();
        b.append(fmt("%nCursor replay: BatpakStreams.cursor(store, Region.all(), withCompleteAtHead(true)) into a "
                + "counting sink, on a reopened store of %,d events (%,d MiB, %d B payloads; page cache warm).%n%n",
                rp.events, rp.bytes >> 20, StreamBench.PAYLOAD));
        b.append("| reader | events/s | vs sequential replay, same store | vs reads' sequential replay |\n"
                + "|---|---:|---:|---:|\n");
        for (Map.Entry<Integer, double[]> e : rp.cursorEventsPerSec.entrySet()) {
            double v = median(e.getValue());
            b.append("| cursor, batch size ").append(e.getKey()).append(" | ").append(num(v)).append(" | ")
                    .append(ratio(rp.ratioToSequential(e.getKey()))).append(" | ").append(ratio(v / readsReplay))
                    .append(" |\n");
        }
        b.append("| cursor, batch size ").append(StreamBench.CURSOR_BATCHES.get(0))
                .append(", index pages only (sequential-read-density 0) | ")
                .append(num(median(rp.indexCursorEventsPerSec))).append(" | ")
                .append(ratio(Cell.pairedRatio(rp.indexCursorEventsPerSec, rp.sequentialEventsPerSec))).append(" | ")
                .append(ratio(median(rp.indexCursorEventsPerSec) / readsReplay)).append(" |\n");
        b.append("| Source.unfoldResource over the iterator (for comparison) | ")
                .append(num(median(rp.unfoldEventsPerSec))).append(" | ")
                .append(ratio(Cell.pairedRatio(rp.unfoldEventsPerSec, rp.sequentialEventsPerSec))).append(" | ")
                .append(ratio(median(rp.unfoldEventsPerSec) / readsReplay)).append(" |\n");
        b.append("| replay Source (BatpakStreams.replay), same store | ").append(num(median(rp.sourceEventsPerSec)))
                .append(" | ").append(ratio(Cell.pairedRatio(rp.sourceEventsPerSec, rp.sequentialEventsPerSec)))
                .append(" | ").append(ratio(median(rp.sourceEventsPerSec) / readsReplay)).append(" |\n");
        b.append("| sequential replay (StoreReader.replay iterator), same store | ").append(num(median(rp.sequentialEventsPerSec)))
                .append(" | - | ").append(ratio(median(rp.sequentialEventsPerSec) / readsReplay)).append(" |\n");
        if (!streams.errors.isEmpty()) {
            b.append("\nErrors: ").append(String.join("; ", streams.errors)).append("\n");
        }
    }

    private void pivot(StringBuilder b, Durability d, int payload) {
        List<String> systems = d == Durability.FSYNC
                ? List.of("batpak", "sqlite-wal-full", "raw-force-batched", "raw-group-write")
                : List.of("batpak", "chronicle-queue", "h2", "sqlite-wal-normal");
        b.append(fmt("%n## Appends, %s, %d B payloads (events/s)%n%n", d == Durability.FSYNC
                ? "fsync class (batpak EVERY_COMMIT)" : "no-fsync class (batpak NONE)", payload));
        b.append("| appenders | ").append(String.join(" | ", systems)).append(" | batpak vs limit | batpak p50 / p99 / p99.9 us |");
        b.append(d == Durability.FSYNC ? " fsyncs/event | group size |\n" : "\n");
        b.append("|---:|").append("---:|".repeat(systems.size() + 2)).append(d == Durability.FSYNC ? "---:|---:|\n" : "\n");
        for (int a : plan.appenders()) {
            Scenario s = new Scenario(d, a, payload, 1);
            b.append("| ").append(a).append(" | ");
            for (String sys : systems) {
                Cell c = sys.startsWith("raw-") && a == 1 ? limit(s) : matrix.cell(s, sys);
                b.append(c == null ? "-" : num(c.eventsPerSec())
                        + (sys.startsWith("raw-") ? fmt(" (N=%.0f)", Double.isNaN(c.forceEvery()) ? 1
                        : c.forceEvery()) : "")).append(" | ");
            }
            Cell bp = matrix.cell(s, "batpak");
            Cell limit = limit(s);
            b.append(bp != null && limit != null ? ratio(bp.pairedRatio(limit)) : "-").append(" | ");
            b.append(bp == null ? "-" : dec(bp.p50()) + " / " + dec(bp.p99()) + " / " + dec(bp.p999())).append(" |");
            if (d == Durability.FSYNC) {
                b.append(" ").append(bp == null ? "-" : dec3(bp.fsyncsPerEvent())).append(" | ")
                        .append(bp == null ? "-" : dec(bp.groupCommitSize())).append(" |");
            }
            b.append("\n");
        }
        Cell raw = d == Durability.FSYNC ? matrix.cell(AppendMatrix.rawScenario(d, payload), "raw-force-each")
                : matrix.cell(AppendMatrix.rawScenario(d, payload), "raw-no-force");
        if (raw != null) {
            b.append(fmt("%nPhysical limit, one thread: %s %s events/s (p50 %s us per %s).%n", raw.system,
                    num(raw.eventsPerSec()), dec(raw.p50()), d == Durability.FSYNC ? "write+force" : "write"));
        }
    }

    static String num(double v) {
        return Double.isNaN(v) ? "-" : fmt("%,.0f", v);
    }

    static String dec(double v) {
        return Double.isNaN(v) ? "-" : v >= 100 ? fmt("%,.0f", v) : fmt("%.1f", v);
    }

    static String dec3(double v) {
        return Double.isNaN(v) ? "-" : fmt("%.3f", v);
    }

    static String ratio(double v) {
        return Double.isNaN(v) ? "-" : v >= 10 ? fmt("%.1fx", v) : fmt("%.2fx", v);
    }
}
