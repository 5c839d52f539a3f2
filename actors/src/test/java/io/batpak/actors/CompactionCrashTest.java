package io.batpak.actors;

import static io.batpak.actors.CryptoShreddingTest.assertNotInStoreFiles;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendReceipt;
import io.batpak.core.CompactionPlan;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.RedactionRequest;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compaction and an erase-now redaction killed with SIGKILL at each of their I/O steps in turn (the seal of the
 * active segment, every rewrite created, written and forced, the checkpoint removed, every rename and directory
 * force, the redaction record's write): afterwards the store opens, verifies, every event the operation keeps is
 * there with its payload, and running the operation again completes it.
 */
@Tag("crash")
class CompactionCrashTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int ENTITIES = 4;
    private static final int EVENTS = 240;

    @TempDir
    Path dir;

    static StoreConfig.Builder config(Path store) {
        return StoreConfig.builder(store).segmentMaxBytes(64 * 1024).maxPayloadBytes(16 * 1024);
    }

    private static byte[] payload(int i) {
        byte[] b = ("secret-" + (i % ENTITIES) + "-" + i + "-").repeat(30).getBytes(StandardCharsets.UTF_8);
        return b;
    }

    /** A store of {@value #EVENTS} events over {@value #ENTITIES} entities (about four segments), closed. */
    private List<AppendReceipt> template(Path store) {
        List<AppendReceipt> out = new ArrayList<>();
        try (BatpakStore s = BatpakStore.open(config(store).build())) {
            for (int i = 0; i < EVENTS; i++) {
                out.add(await(s.append(Coordinate.of("e:" + (i % ENTITIES), "s"), EventKind.of(0x1, 0x001),
                        payload(i))));
            }
        }
        return out;
    }

    @Test
    void aCompactionKilledAtAnyStepLeavesAWholeStoreAndARerunCompletesIt() throws Exception {
        Path template = dir.resolve("template");
        List<AppendReceipt> appended = template(template);
        int killed = 0;
        for (int k = 1; ; k++) {
            Path store = copy(template, dir.resolve("store-" + k));
            if (!runChild(store, k, "compact")) {
                assertTrue(k > 8, "a compaction has several I/O steps");
                break;
            }
            killed++;
            assertWhole(store, appended, EVENTS - 1, false);
            try (BatpakStore s = BatpakStore.open(config(store).build())) {
                await(s.compact(CompactionPlan.ERASE_ONLY.withMaxEventsPerEntity(CompactionCrashApp.KEEP)));
                for (int e = 0; e < ENTITIES; e++) {
                    assertEquals(CompactionCrashApp.KEEP, s.readEntity("e:" + e, 0, 1000).size(), "after rerun " + k);
                }
                assertTrue(s.verify().ok());
            }
        }
        assertTrue(killed > 8, "killed at " + killed + " steps");
    }

    @Test
    void anEraseNowRedactionKilledAtAnyStepLeavesAWholeStoreAndARerunErasesThePlaintext() throws Exception {
        Path template = dir.resolve("template");
        List<AppendReceipt> appended = template(template);
        int killed = 0;
        for (int k = 1; ; k++) {
            Path store = copy(template, dir.resolve("store-" + k));
            if (!runChild(store, k, "redact")) {
                break;
            }
            killed++;
            assertWhole(store, appended, -1, true);
            try (BatpakStore s = BatpakStore.open(config(store).build())) {
                await(s.redact(RedactionRequest.entity("e:0", "rerun").withEraseNow()));
                assertTrue(s.readEntity("e:0", 0, 1000).stream().allMatch(StoredEvent::payloadRedacted));
                assertTrue(s.verify().ok());
            }
            assertNotInStoreFiles(store, "secret-0-".getBytes(StandardCharsets.UTF_8), "e:0's plaintext", false);
        }
        assertTrue(killed > 5, "killed at " + killed + " steps");
    }

    @Test
    void anImportKilledAtAnyStepLeavesWholeBatchesAndARerunCompletesItWithoutDuplicates() throws Exception {
        Path template = dir.resolve("template");
        List<AppendReceipt> appended = template(template);
        Path file = dir.resolve("export.bin");
        try (ReadOnlyStore ro = ReadOnlyStore.open(config(template).build())) {
            ro.export(io.batpak.core.Region.all(), file, io.batpak.core.ExportFormat.BINARY);
        }
        int killed = 0;
        for (int k = 1; ; k++) {
            Path store = dir.resolve("import-" + k);
            if (!runChild(store, k, "import", file.toString())) {
                break;
            }
            killed++;
            try (ReadOnlyStore ro = ReadOnlyStore.open(config(store).build())) {
                assertTrue(ro.verify().ok(), store + ": " + ro.verify());
                // Every imported event came with its provenance record, in one atomic batch.
                long recorded = 0;
                for (StoredEvent rec : ro.query(io.batpak.core.Region.entity(io.batpak.core.ImportRecord.ENTITY), -1,
                        1000)) {
                    recorded += rec.payloadAs(io.batpak.core.ImportRecord.class).events().size();
                }
                long events = ro.query(io.batpak.core.Region.entity("e"), -1, 10_000).size();
                assertEquals(recorded, events, "events without provenance after kill at step " + k);
            }
            try (BatpakStore s = BatpakStore.open(config(store).build())) {
                await(s.importFrom(file));
                for (AppendReceipt r : appended) {
                    StoredEvent e = s.get(r.eventId()).orElseThrow();
                    assertEquals(r.eventId(), e.eventId());
                }
                assertEquals(appended.size(), s.query(io.batpak.core.Region.entity("e"), -1, 10_000).size(),
                        "no event twice after rerun " + k);
                assertTrue(s.verify().ok());
            }
        }
        assertTrue(killed > 5, "killed at " + killed + " steps");
    }

    /** Runs the child; true when it was killed at step k, false when the operation finished in fewer steps. */
    private boolean runChild(Path store, int k, String mode, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of(store.toString(), Integer.toString(k), mode));
        args.addAll(List.of(more));
        try (ChildJvm child = ChildJvm.start(CompactionCrashApp.class, dir.resolve(mode + "-" + k + ".log"),
                args.toArray(String[]::new))) {
            String line = child.awaitLine(l -> l.startsWith("AT ") || l.startsWith("DONE "), WAIT, null);
            if (line.startsWith("DONE ")) {
                return false;
            }
            child.kill(Duration.ofSeconds(30));
            return true;
        }
    }

    /**
     * The store opens read-only and verifies; every event is either there with its payload (or, for e:0 in a
     * redaction, redacted) or, in a compaction, removed as the plan says; the newest {@code KEEP} of every entity are
     * there.
     */
    private static void assertWhole(Path store, List<AppendReceipt> appended, long last, boolean redaction) {
        try (ReadOnlyStore ro = ReadOnlyStore.open(config(store).build())) {
            assertTrue(ro.verify().ok(), store + ": " + ro.verify());
            if (last >= 0) {
                assertEquals(last, ro.lastGlobalSequence());
            } else {
                long l = ro.lastGlobalSequence();
                assertTrue(l == EVENTS - 1 || l == EVENTS, "a redaction appends at most its record: " + l);
            }
            for (int i = 0; i < appended.size(); i++) {
                AppendReceipt r = appended.get(i);
                java.util.Optional<StoredEvent> e = ro.get(r.eventId());
                boolean kept = r.entitySequence() >= EVENTS / ENTITIES - CompactionCrashApp.KEEP;
                if (redaction || kept) {
                    assertTrue(e.isPresent(), "event " + i + " is there");
                }
                if (e.isPresent()) {
                    assertEquals(r.eventHash(), e.get().eventHash());
                    if (!(redaction && i % ENTITIES == 0 && e.get().payloadRedacted())) {
                        assertArrayEquals(payload(i), e.get().payload(), "payload of event " + i);
                    }
                }
            }
        }
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().equals("LOCK")) {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }
}
