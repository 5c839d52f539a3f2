package io.batpak.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.batpak.actors.BatpakStore;
import io.batpak.actors.StoreTestKit;
import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.EventType;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.SyncMode;
import io.batpak.core.internal.cursor.CheckpointStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Every command of the tool, run in this JVM through picocli against a fixture store: output and exit code. */
class BatpakCliTest {
    static final EventKind RAW = EventKind.of(0x2, 0x001);
    static final ObjectMapper JSON = new ObjectMapper();

    @EventType(category = 0x1, type = 0x001, version = 1)
    public record OrderPlaced(String order, String customer, long cents) {
    }

    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @TempDir
    Path tmp;

    Path dir;
    List<AppendReceipt> orders = new ArrayList<>();
    AppendReceipt raw;

    record Result(int code, String out, String err) {
        List<JsonNode> jsonLines() {
            List<JsonNode> out = new ArrayList<>();
            for (String line : this.out.split("\n")) {
                if (!line.isBlank()) {
                    try {
                        out.add(JSON.readTree(line));
                    } catch (IOException e) {
                        throw new AssertionError("not JSON: " + line, e);
                    }
                }
            }
            return out;
        }

        JsonNode json() {
            List<JsonNode> lines = jsonLines();
            assertEquals(1, lines.size(), out);
            return lines.get(0);
        }
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = BatpakCli.run(o, e, args);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static <T> T await(java.util.concurrent.CompletionStage<T> s) {
        try {
            return s.toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private StoreConfig.Builder config(Path d) {
        return StoreConfig.builder(d).syncMode(SyncMode.NONE);
    }

    /** 3 orders of 20 typed events each (tag "vip" on order:1), one raw event on audit:1; closed afterwards. */
    @BeforeEach
    void fixture() {
        dir = tmp.resolve("store");
        BatpakStore store = kit.open(config(dir).build());
        for (int i = 0; i < 20; i++) {
            for (int o = 0; o < 3; o++) {
                AppendOptions opts = o == 1 ? AppendOptions.tags("vip")
                        : AppendOptions.DEFAULT;
                orders.add(await(store.appendTyped(Coordinate.of("order:" + o, "shop"),
                        new OrderPlaced("o" + o, "c" + i, 100L * i), opts)));
            }
        }
        raw = await(store.append(Coordinate.of("audit:1", "ops"), RAW, new byte[] {1, 2, 3, (byte) 0xFF}));
        kit.close(store);
    }

    @Test
    void helpListsEveryCommandAndEachCommandHasHelp() {
        Result r = run("--help");
        assertEquals(0, r.code());
        List<String> commands = List.of("info", "get", "read", "query", "tail", "verify", "export", "import",
                "compact", "redact", "backup", "checkpoints", "bench");
        for (String c : commands) {
            assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith(c + " ")), c + " in\n" + r.out());
            Result h = run(c, "--help");
            assertEquals(0, h.code(), c);
            assertTrue(h.out().contains("Usage: batpak " + c), h.out());
            if (!c.equals("bench")) {
                assertTrue(h.out().contains("--json"), c + " has --json");
            }
        }
        assertEquals(BatpakCli.USAGE, run().code(), "no command is bad usage");
        Result unknown = run("frobnicate", dir.toString());
        assertEquals(BatpakCli.USAGE, unknown.code());
        assertTrue(unknown.err().contains("frobnicate"), unknown.err());
    }

    @Test
    void aPlainPicocliCommandLineOnTheToolGivesTheSameOutputAndExitCodes() {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = new picocli.CommandLine(new BatpakCli());
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        assertEquals(0, cl.execute("info", dir.toString(), "--json"));
        assertTrue(out.toString().contains("\"events\":61"), out.toString());
        assertEquals(BatpakCli.CANNOT_OPEN, cl.execute("verify", tmp.resolve("gone").toString()));
        assertTrue(err.toString().contains("no store directory"), err.toString());
        assertFalse(err.toString().contains("\tat "), "no stack trace: " + err);
        assertEquals(BatpakCli.USAGE, cl.execute("get", dir.toString(), "xyz"));
        assertEquals(BatpakCli.PROBLEM, cl.execute("get", dir.toString(), "01900000-0000-7000-8000-000000000000"));
        assertEquals(BatpakCli.USAGE, cl.execute("query", dir.toString(), "--limit", "x"));
    }

    @Test
    void infoShowsWhatTheStoreHoldsInTextAndJson() {
        Result r = run("info", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("events             61"), r.out());
        assertTrue(r.out().contains("entities           4"), r.out());
        assertTrue(r.out().contains("tags               1"), r.out());
        assertEquals("", r.err());
        JsonNode j = run("info", dir.toString(), "--json").json();
        assertEquals(61, j.get("events").asLong());
        assertEquals(4, j.get("entities").asLong());
        assertEquals(1, j.get("tags").asLong());
        assertEquals(0, j.get("firstGlobalSequence").asLong());
        assertEquals(60, j.get("lastGlobalSequence").asLong());
        assertTrue(j.get("segments").asInt() >= 1);
        assertTrue(j.get("segmentBytes").asLong() > 0 && j.get("diskBytes").asLong() >= j.get("segmentBytes").asLong());
        assertFalse(j.get("indexCheckpointSavedAt").isNull(), "closing wrote a checkpoint");
        assertTrue(j.get("firstEventTime").asText().startsWith("20"));
        assertEquals(0, j.get("cursorCheckpoints").size());
    }

    @Test
    void openFailuresExitWithThreeAndOneLineNamingTheCause() throws Exception {
        Result missing = run("info", tmp.resolve("nowhere").toString());
        assertEquals(BatpakCli.CANNOT_OPEN, missing.code());
        assertEquals(1, missing.err().lines().count(), missing.err());
        assertTrue(missing.err().contains("nowhere"), missing.err());

        Path notAStore = Files.createDirectories(tmp.resolve("plain"));
        Result plain = run("verify", notAStore.toString());
        assertEquals(BatpakCli.CANNOT_OPEN, plain.code());
        assertTrue(plain.err().contains("not a batpak store"), plain.err());

        BatpakStore held = kit.open(config(dir).build());
        for (String cmd : List.of("info", "verify", "query", "compact", "checkpoints")) {
            Result locked = run(cmd, dir.toString());
            assertEquals(BatpakCli.CANNOT_OPEN, locked.code(), cmd + ": " + locked.err());
            assertTrue(locked.err().contains("locked"), locked.err());
            assertEquals(1, locked.err().lines().count(), locked.err());
            assertFalse(locked.err().contains("\tat "), "no stack trace");
        }
        kit.close(held);

        // A segment from a newer format version.
        Path seg;
        try (Stream<Path> s = Files.list(dir.resolve("segments"))) {
            seg = s.sorted().findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.seek(8);
            f.write(new byte[] {99, 0});
        }
        Files.delete(dir.resolve("index.ckpt")); // the open scans the segments, headers first
        Result future = run("info", dir.toString());
        assertEquals(BatpakCli.CANNOT_OPEN, future.code(), future.err());
        assertTrue(future.err().contains(seg.getFileName().toString()), future.err());
    }

    @Test
    void getShowsOneEventDecodingCborPayloadsAsJsonAndOthersAsHex() {
        AppendReceipt first = orders.get(0);
        Result table = run("get", dir.toString(), first.eventId().toString());
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("order:0"), table.out());
        assertTrue(table.out().contains("\"customer\":\"c0\""), table.out());
        assertTrue(table.out().contains("1:001"), table.out());

        JsonNode j = run("get", dir.toString(), first.eventId().toString(), "--json").json();
        assertEquals(first.eventId().toString(), j.get("eventId").asText());
        assertEquals("order:0", j.get("entity").asText());
        assertEquals("shop", j.get("scope").asText());
        assertEquals(0, j.get("entitySequence").asLong());
        assertEquals("c0", j.get("payload").get("customer").asText());

        JsonNode rawJson = run("get", dir.toString(), raw.eventId().toString(), "--json").json();
        assertEquals("010203ff", rawJson.get("payloadHex").asText());
        assertTrue(run("get", dir.toString(), raw.eventId().toString()).out().contains("0x010203ff"));

        Result bad = run("get", dir.toString(), "not-an-id");
        assertEquals(BatpakCli.USAGE, bad.code());
        assertTrue(bad.err().contains("not-an-id"), bad.err());
        Result absent = run("get", dir.toString(), "01900000-0000-7000-8000-000000000000");
        assertEquals(BatpakCli.PROBLEM, absent.code());
        assertTrue(absent.err().contains("no event 01900000-0000-7000-8000-000000000000"), absent.err());
    }

    @Test
    void readAndQuerySelectPageAndPrintNdjson() {
        List<JsonNode> read = run("read", dir.toString(), "order:2", "--from", "5", "--limit", "4", "--json")
                .jsonLines();
        assertEquals(4, read.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(5 + i, read.get(i).get("entitySequence").asLong());
            assertEquals("order:2", read.get(i).get("entity").asText());
        }
        Result table = run("read", dir.toString(), "order:1", "--limit", "3");
        assertEquals(4, table.out().lines().count(), table.out()); // header + 3
        assertTrue(table.err().contains("for more: --from 3"), "a full page says how to go on: " + table.err());
        Result page = run("query", dir.toString(), "--limit", "10");
        assertTrue(page.err().contains("for more: --after 9"), page.err());
        assertTrue(table.out().contains("vip"));
        assertTrue(run("read", dir.toString(), "order:9").out().contains("(no events)"));

        List<JsonNode> vip = run("query", dir.toString(), "--tag", "vip", "--limit", "1000", "--json").jsonLines();
        assertEquals(20, vip.size());
        vip.forEach(e -> assertEquals("order:1", e.get("entity").asText()));
        List<JsonNode> orderNs = run("query", dir.toString(), "--entity", "order", "--kind", "1:001", "--after", "29",
                "--limit", "1000", "--json").jsonLines();
        assertEquals(30, orderNs.size());
        assertEquals(30, orderNs.get(0).get("globalSequence").asLong());
        List<JsonNode> ops = run("query", dir.toString(), "--scope", "ops", "--json").jsonLines();
        assertEquals(1, ops.size());
        assertEquals(10, run("query", dir.toString(), "--limit", "10", "--json").jsonLines().size());

        for (String[] bad : List.of(new String[] {"--kind", "zz"}, new String[] {"--kind", "1:99999"},
                new String[] {"--limit", "0"}, new String[] {"--after", "-5"}, new String[] {"--nope"},
                new String[] {"--limit", "many"})) {
            String[] args = Stream.concat(Stream.of("query", dir.toString()), Arrays.stream(bad))
                    .toArray(String[]::new);
            Result r = run(args);
            assertEquals(BatpakCli.USAGE, r.code(), Arrays.toString(bad) + ": " + r.err());
            assertFalse(r.err().contains("\tat "), r.err());
        }
    }

    @Test
    void tailFollowsEventsAnApplicationAppendsWhileItHoldsTheStore() throws Exception {
        BatpakStore store = kit.open(config(dir).build());
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();
        try {
            CompletableFuture<Result> all = CompletableFuture.supplyAsync(() -> run("tail", dir.toString(),
                    "--entity", "live", "--limit", "25", "--json"), threads);
            for (int i = 0; i < 30; i++) {
                await(store.append(Coordinate.of(i < 25 ? "live:" + i : "other:" + i, "s"), RAW,
                        new byte[] {(byte) i}));
            }
            Result r = all.get(60, TimeUnit.SECONDS);
            assertEquals(0, r.code(), r.err());
            List<JsonNode> lines = r.jsonLines();
            assertEquals(25, lines.size());
            for (int i = 0; i < 25; i++) {
                assertEquals("live:" + i, lines.get(i).get("entity").asText());
                assertEquals(61 + i, lines.get(i).get("globalSequence").asLong());
            }

            // --from-end shows only events appended after it started: keep appending until it has seen 5.
            long before = store.lastGlobalSequence();
            CompletableFuture<Result> fromEnd = CompletableFuture.supplyAsync(() -> run("tail", dir.toString(),
                    "--from-end", "--limit", "5", "--json"), threads);
            for (int i = 0; !fromEnd.isDone() && i < 100_000; i++) {
                await(store.append(Coordinate.of("late:" + i, "s"), RAW, new byte[] {(byte) i}));
            }
            Result end = fromEnd.get(60, TimeUnit.SECONDS);
            assertEquals(0, end.code(), end.err());
            List<JsonNode> late = end.jsonLines();
            assertEquals(5, late.size());
            for (JsonNode e : late) {
                assertTrue(e.get("globalSequence").asLong() > before, e.toString());
                assertTrue(e.get("entity").asText().startsWith("late:"), e.toString());
            }
        } finally {
            threads.shutdownNow();
        }
        kit.close(store);
        // From a position, on a closed store.
        List<JsonNode> after = run("tail", dir.toString(), "--after", "80", "--limit", "10", "--json").jsonLines();
        assertEquals(10, after.size());
        assertEquals(81, after.get(0).get("globalSequence").asLong());
        assertEquals(BatpakCli.USAGE, run("tail", dir.toString(), "--from-end", "--after", "3").code());
        assertEquals(BatpakCli.CANNOT_OPEN, run("tail", tmp.resolve("none").toString()).code());
    }

    @Test
    void tailStopsWhenItsOutputIsClosedLikeAPipeWhoseReaderWentAway() throws Exception {
        java.io.OutputStream closedPipe = new java.io.OutputStream() {
            private int written;

            @Override
            public void write(int b) throws IOException {
                if (++written > 200) {
                    throw new IOException("Broken pipe");
                }
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Integer> tail = CompletableFuture.supplyAsync(() -> BatpakCli.run(
                new PrintStream(closedPipe, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "tail", dir.toString()));
        assertEquals(0, tail.get(60, TimeUnit.SECONDS), "tail without --limit ended: " + err);
    }

    @Test
    void verifyPassesAndNamesTheFirstBreakOfATamperedStore() throws Exception {
        Result ok = run("verify", dir.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().startsWith("ok: 61 events of 4 entities"), ok.out());
        JsonNode j = run("verify", dir.toString(), "--json").json();
        assertTrue(j.get("ok").asBoolean());
        assertEquals(61, j.get("events").asLong());
        assertEquals(0, run("verify", dir.toString(), "--entity", "order:1").code());
        Result withBar = run("verify", dir.toString(), "--progress", "always");
        assertEquals(0, withBar.code());
        assertTrue(withBar.err().contains("verifying"), "a progress bar on stderr: " + withBar.err());

        // Flip a payload byte of the third event (checksum and hash break; the frame is still there).
        byte[] payload;
        try (ReadOnlyStore s = ReadOnlyStore.open(StoreConfig.builder(dir).build())) {
            payload = s.get(orders.get(2).eventId()).orElseThrow().payload();
        }
        Path seg;
        try (Stream<Path> s = Files.list(dir.resolve("segments"))) {
            seg = s.sorted().findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(seg);
        int at = indexOf(bytes, payload);
        assertTrue(at > 0);
        bytes[at] ^= 0x01;
        Files.write(seg, bytes);
        Files.deleteIfExists(dir.resolve("index.ckpt"));
        Result broken = run("verify", dir.toString());
        if (broken.code() == BatpakCli.CANNOT_OPEN) {
            // The open itself refused the damaged frame: named, no stack trace.
            assertTrue(broken.err().contains(seg.getFileName().toString()), broken.err());
        } else {
            assertEquals(BatpakCli.PROBLEM, broken.code(), broken.out() + broken.err());
            assertTrue(broken.out().contains("BROKEN"), broken.out());
        }
        assertFalse(broken.err().contains("\tat "), broken.err());
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (hay[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void exportAndImportMoveEventsAndADamagedFileImportsNothing() throws Exception {
        Path file = tmp.resolve("orders.ndjson");
        Result ex = run("export", dir.toString(), file.toString(), "--entity", "order", "--json");
        assertEquals(0, ex.code(), ex.err());
        assertEquals(60, ex.json().get("events").asLong());
        assertTrue(Files.size(file) > 0);
        Result again = run("export", dir.toString(), file.toString());
        assertEquals(BatpakCli.USAGE, again.code(), "an export never replaces a file: " + again.err());
        Path bin = tmp.resolve("all.bin");
        Result binary = run("export", dir.toString(), bin.toString(), "--format", "binary");
        assertEquals(0, binary.code(), binary.err());
        assertTrue(binary.out().startsWith("exported 61 events"), binary.out());

        Path target = tmp.resolve("copy");
        Result noStore = run("import", target.toString(), file.toString());
        assertEquals(BatpakCli.CANNOT_OPEN, noStore.code(), "without --create the directory must hold a store");
        Result imp = run("import", target.toString(), file.toString(), "--create", "--json");
        assertEquals(0, imp.code(), imp.err());
        assertEquals(60, imp.json().get("imported").asLong());
        Result twice = run("import", target.toString(), file.toString());
        assertEquals(0, twice.code(), twice.err());
        assertTrue(twice.out().contains("imported 0 events"), twice.out());
        assertTrue(twice.out().contains("skipped 60 already present"), twice.out());

        // Damage one line: the whole file is refused and nothing is added.
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(5, lines.get(5).replace("\"order:", "\"ordex:"));
        Path damaged = tmp.resolve("damaged.ndjson");
        Files.write(damaged, lines);
        Path fresh = tmp.resolve("fresh");
        Result bad = run("import", fresh.toString(), damaged.toString(), "--create");
        assertEquals(BatpakCli.PROBLEM, bad.code());
        assertEquals(1, bad.err().lines().count(), bad.err());
        try (ReadOnlyStore s = ReadOnlyStore.open(StoreConfig.builder(fresh).build())) {
            assertEquals(0, s.query(Region.all(), -1, 10).size());
        }
        assertEquals(BatpakCli.USAGE, run("import", target.toString(), tmp.resolve("nofile").toString()).code());
    }

    @Test
    void compactRedactAndBackupRunAndSummarise() throws Exception {
        Result c = run("compact", dir.toString(), "--max-events-per-entity", "5", "--json");
        assertEquals(0, c.code(), c.err());
        JsonNode cj = c.json();
        assertEquals(45, cj.get("eventsRemoved").asLong(), cj.toString());
        try (ReadOnlyStore s = ReadOnlyStore.open(StoreConfig.builder(dir).build())) {
            for (int o = 0; o < 3; o++) {
                assertEquals(5, s.readEntity("order:" + o, 0, 100).size());
            }
            assertTrue(s.verify().ok());
        }
        assertEquals(BatpakCli.USAGE, run("compact", dir.toString(), "--max-age", "soon").code());
        Result age = run("compact", dir.toString(), "--max-age", "3650d");
        assertEquals(0, age.code(), age.err());
        assertTrue(age.out().startsWith("compacted "), age.out());

        Result noReason = run("redact", dir.toString(), "--entity", "audit:1");
        assertEquals(BatpakCli.USAGE, noReason.code());
        Result red = run("redact", dir.toString(), "--entity", "audit:1", "--reason", "ticket 7", "--erase-now");
        assertEquals(0, red.code(), red.err());
        assertTrue(red.out().startsWith("redacted 1 events"), red.out());
        assertTrue(red.out().contains("erased from the segment files"), red.out());
        JsonNode gone = run("get", dir.toString(), raw.eventId().toString(), "--json").json();
        assertTrue(gone.get("payloadRedacted").asBoolean());
        assertTrue(gone.get("payloadHex") == null && gone.get("payload") == null);
        Result unknownEvent = run("redact", dir.toString(), "--event", "01900000-0000-7000-8000-000000000000",
                "--reason", "x");
        assertEquals(BatpakCli.PROBLEM, unknownEvent.code(), "an event that is not there is reported");

        Path dest = tmp.resolve("backup");
        Result b = run("backup", dir.toString(), dest.toString(), "--json");
        assertEquals(0, b.code(), b.err());
        assertTrue(b.json().get("events").asLong() > 0);
        assertEquals(0, run("verify", dest.toString()).code());
        Result refused = run("backup", dir.toString(), dir.resolve("inside").toString());
        assertEquals(BatpakCli.USAGE, refused.code(), refused.err());
        assertFalse(Files.exists(dir.resolve("inside")));
    }

    @Test
    void checkpointsListsCursorPositionsWithLagAndReportsADamagedOne() throws Exception {
        Result none = run("checkpoints", dir.toString(), "--json");
        assertEquals(0, none.code(), none.err());
        assertEquals(0, none.json().get("cursorCheckpoints").size());
        assertEquals(0, none.json().get("readModels").size());

        CheckpointStore files = new CheckpointStore(dir);
        files.save("billing", Region.entity("order").identity(), 40);
        files.save("audit", Region.all().identity(), 60);
        JsonNode j = run("checkpoints", dir.toString(), "--json").json();
        assertEquals(60, j.get("lastGlobalSequence").asLong());
        JsonNode cps = j.get("cursorCheckpoints");
        assertEquals(2, cps.size());
        assertEquals("audit", cps.get(0).get("id").asText());
        assertEquals(0, cps.get(0).get("lag").asLong());
        assertEquals("billing", cps.get(1).get("id").asText());
        assertEquals(40, cps.get(1).get("position").asLong());
        assertEquals(20, cps.get(1).get("lag").asLong());
        Result text = run("checkpoints", dir.toString());
        assertTrue(text.out().contains("billing") && text.out().contains("lag 20"), text.out());
        assertTrue(run("info", dir.toString()).out().contains("cursor checkpoints 2:"));

        Files.write(files.path("billing"), new byte[] {1, 2, 3});
        Result damaged = run("checkpoints", dir.toString());
        assertEquals(BatpakCli.PROBLEM, damaged.code());
        assertTrue(damaged.out().contains("DAMAGED"), damaged.out());
    }

    @Test
    void checkpointsListsReadModelsWithTheirOffsetsAndLag() {
        BatpakStore store = kit.open(config(dir).build());
        io.batpak.projections.ReadModel model = io.batpak.projections.ReadModel.of("order-count",
                Region.entity("order"), List.of("n"), (e, txn) -> txn.addLong("n",
                        io.batpak.projections.Keys.of("count"), 1));
        try (io.batpak.projections.Projections p = io.batpak.projections.Projections.open(store)) {
            io.batpak.projections.ReadModelControl control = p.start(model);
            await(control.awaitOffset(orders.get(orders.size() - 1).globalSequence()));
            await(control.stop());
        }
        kit.close(store);
        JsonNode j = run("checkpoints", dir.toString(), "--json").json();
        JsonNode models = j.get("readModels");
        assertEquals(1, models.size(), j.toString());
        assertEquals("order-count", models.get(0).get("name").asText());
        long offset = models.get(0).get("offset").asLong();
        assertTrue(offset >= orders.get(orders.size() - 1).globalSequence(), j.toString());
        assertEquals(60 - offset, models.get(0).get("lag").asLong());
        Result text = run("checkpoints", dir.toString());
        assertTrue(text.out().contains("order-count") && text.out().contains("offset " + offset), text.out());
    }

    @Test
    void benchRunsTheHarnessScriptPassingQuickAndPrintsWhereResultsAre() throws Exception {
        Path source = tmp.resolve("src");
        Files.createDirectories(source.resolve("bench"));
        Path log = tmp.resolve("args.txt");
        Files.writeString(source.resolve("bench").resolve("run.sh"), "echo \"harness $*\"\necho \"$*\" > '"
                + log + "'\n");
        Result r = run("bench", "--source", source.toString(), "--quick");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("harness --quick"), r.out());
        assertTrue(r.out().contains(source.resolve("bench").resolve("results").resolve("latest.md").toString()),
                r.out());
        assertEquals("--quick", Files.readString(log).trim());

        Files.writeString(source.resolve("bench").resolve("run.sh"), "exit 4\n");
        Result failed = run("bench", "--source", source.toString());
        assertEquals(BatpakCli.PROBLEM, failed.code());
        assertTrue(failed.err().contains("exit code 4"), failed.err());
        Result missing = run("bench", "--source", tmp.resolve("nothing").toString());
        assertEquals(BatpakCli.USAGE, missing.code());
    }
}
