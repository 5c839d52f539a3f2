package io.batpak.actors;

import static io.batpak.actors.CryptoShreddingTest.indexOf;
import static io.batpak.actors.TestSupport.assertFails;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.ExportFormat;
import io.batpak.core.ExportReport;
import io.batpak.core.ImportRecord;
import io.batpak.core.ImportReport;
import io.batpak.core.RedactionRequest;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.InvalidExportFileException;
import io.batpak.core.error.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Export to NDJSON and binary, import into another store: every field kept, provenance, idempotence, refusals. */
class ExportImportTest {
    private static final EventKind KIND = EventKind.of(0x1, 0x001);
    private static final EventKind OTHER = EventKind.of(0x2, 0x0F0);

    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @TempDir
    Path dir;

    private StoreConfig.Builder config(Path store) {
        return StoreConfig.builder(store).segmentMaxBytes(256 * 1024).maxPayloadBytes(16 * 1024);
    }

    /** Map payloads (CBOR, exported as JSON), raw bytes (base64), tags, causation, flags, versions, a sealed one. */
    private static List<AppendReceipt> fill(BatpakStore store) {
        List<AppendReceipt> out = new ArrayList<>();
        AppendReceipt root = null;
        for (int i = 0; i < 120; i++) {
            Coordinate c = Coordinate.of("order:" + (i % 7), i % 2 == 0 ? "eu" : "us");
            AppendOptions.Builder o = AppendOptions.builder().flags(i % 4).tags(i % 3 == 0 ? List.of("vip", "t" + (i % 5))
                    : List.of());
            if (root != null && i % 5 == 0) {
                o.causationId(root.eventId()).correlationId(root.eventId());
            }
            AppendReceipt r;
            if (i % 3 == 1) {
                r = await(store.append(AppendRequest.encoded(c, OTHER, ("raw-bytes-" + i).getBytes(StandardCharsets.UTF_8),
                        i % 7, o.build())));
            } else {
                r = await(store.append(c, KIND, Map.of("n", i, "text", "value " + i, "list", List.of(1, 2, i)),
                        o.build()));
            }
            out.add(r);
            if (i == 0) {
                root = r;
            }
        }
        out.add(await(store.append(Coordinate.of("person:ada", "crm"), KIND, "ada's secret profile".getBytes(),
                AppendOptions.subject("ada@example.com"))));
        return out;
    }

    private static void assertSameEvent(StoredEvent s, StoredEvent t, boolean payload) {
        assertEquals(s.eventId(), t.eventId());
        assertEquals(s.coordinate(), t.coordinate());
        assertEquals(s.kind(), t.kind());
        assertEquals(s.correlationId(), t.correlationId());
        assertEquals(s.causationId(), t.causationId());
        assertEquals(s.flags(), t.flags());
        assertEquals(s.payloadVersion(), t.payloadVersion());
        assertEquals(s.tags(), t.tags());
        assertEquals(s.payloadEncrypted(), t.payloadEncrypted());
        assertEquals(s.entitySequence(), t.entitySequence(), "a fresh store gets the same entity sequences");
        if (payload) {
            assertArrayEquals(s.payload(), t.payload(), "payload of " + s);
        }
    }

    @Test
    void bothFormatsRoundTripEveryFieldAndRecordProvenance() throws Exception {
        BatpakStore source = kit.open(config(dir.resolve("source")).build());
        fill(source);
        List<StoredEvent> all = source.query(Region.all(), -1, 10_000);
        for (ExportFormat format : ExportFormat.values()) {
            Path file = dir.resolve("export." + format.name().toLowerCase());
            ExportReport ex = await(source.export(Region.all(), file, format));
            assertEquals(all.size(), ex.events());
            assertEquals(source.lastGlobalSequence(), ex.throughGlobalSequence());
            assertEquals(Files.size(file), ex.bytes());
            if (format == ExportFormat.NDJSON) {
                List<String> lines = Files.readAllLines(file);
                assertEquals(all.size() + 2, lines.size(), "header, one line per event, trailer");
                assertTrue(lines.get(1).contains("\"payload\":{"), "a CBOR map is exported as JSON: " + lines.get(1));
                assertTrue(lines.get(2).contains("\"payloadBase64\":") && !lines.get(2).contains("\"payload\":"),
                        "raw bytes as base64: " + lines.get(2));
            }
            assertEquals(-1, indexOf(Files.readAllBytes(file), "ada's secret".getBytes()),
                    "a sealed payload is exported sealed");

            Path target = dir.resolve("target-" + format);
            // The subject's key travels separately (never in an export): copied here, the sealed payload reads.
            Files.createDirectories(target);
            copyTree(dir.resolve("source").resolve(StoreConfig.SUBJECT_KEYS_DIRECTORY),
                    target.resolve(StoreConfig.SUBJECT_KEYS_DIRECTORY));
            BatpakStore into = kit.open(config(target).build());
            ImportReport report = await(into.importFrom(file));
            assertEquals(format, report.format());
            assertEquals(all.size(), report.imported());
            assertEquals(0, report.alreadyPresent());
            assertTrue(report.batches() >= 1);
            Map<EventId, ImportRecord.Source> provenance = new HashMap<>();
            for (StoredEvent rec : into.query(Region.entity(ImportRecord.ENTITY), -1, 1000)) {
                ImportRecord r = rec.payloadAs(ImportRecord.class);
                assertEquals(report.sourceStoreId(), r.sourceStoreId());
                r.events().forEach(x -> provenance.put(EventId.parse(x.eventId()), x));
            }
            assertEquals(report.batches(), into.query(Region.entity(ImportRecord.ENTITY), -1, 1000).size());
            long previous = -1;
            for (StoredEvent s : all) {
                StoredEvent t = into.get(s.eventId()).orElseThrow();
                assertSameEvent(s, t, true);
                assertTrue(t.globalSequence() > previous, "file order is kept");
                previous = t.globalSequence();
                ImportRecord.Source p = provenance.get(s.eventId());
                assertEquals(s.globalSequence(), p.sourceGlobalSequence());
                assertEquals(s.entitySequence(), p.sourceEntitySequence());
                assertEquals(s.timestampMicros(), p.sourceTimestampMicros());
                assertEquals(s.eventHash().toString(), p.sourceEventHash());
            }
            assertArrayEquals("ada's secret profile".getBytes(), into.readEntity("person:ada", 0, 1).get(0).payload());
            assertTrue(into.verify().ok(), into.verify().toString());

            // Idempotent: the same file again, and the other format of the same events, add nothing.
            ImportReport again = await(into.importFrom(file));
            assertEquals(0, again.imported());
            assertEquals(all.size(), again.alreadyPresent());
        }
        ImportReport other = await(kit.open(config(dir.resolve("third")).build())
                .importFrom(dir.resolve("export.ndjson")));
        assertEquals(all.size(), other.imported());
        assertTrue(kit.open(config(dir.resolve("fourth")).build()).importFrom(dir.resolve("export.binary"))
                .toCompletableFuture().get().imported() == all.size());
    }

    @Test
    void redactedAndForgottenPayloadsLeaveNoPlaintextInAnExport() throws Exception {
        BatpakStore source = kit.open(config(dir.resolve("source")).build());
        List<AppendReceipt> events = fill(source);
        await(source.redact(RedactionRequest.entity("order:3", "erasure")));
        await(source.forgetSubject("ada@example.com"));
        for (ExportFormat format : ExportFormat.values()) {
            Path file = dir.resolve("export-" + format);
            await(source.export(Region.all(), file, format));
            byte[] bytes = Files.readAllBytes(file);
            // order:3 holds i = 3, 10, 17, 24, 31, ...: a map payload (i = 3) and a raw one (i = 31).
            byte[] raw31 = "raw-bytes-31".getBytes(StandardCharsets.UTF_8);
            byte[] raw4 = "raw-bytes-4".getBytes(StandardCharsets.UTF_8);
            assertEquals(-1, indexOf(bytes, "value 3\"".getBytes()), "order:3's map payload");
            assertEquals(-1, indexOf(bytes, raw31), "order:3's raw payload");
            assertEquals(-1, indexOf(bytes, java.util.Base64.getEncoder().encode(raw31)), "order:3's raw payload");
            assertTrue(indexOf(bytes, format == ExportFormat.BINARY ? raw4
                    : java.util.Base64.getEncoder().encode(raw4)) >= 0, "others are there");
            BatpakStore into = kit.open(config(dir.resolve("target-" + format)).build());
            ImportReport report = await(into.importFrom(file));
            long redacted = source.readEntity("order:3", 0, 1000).size();
            assertEquals(redacted, report.skippedRedacted());
            assertEquals(1, report.skippedStoreRecords(), "the redaction record");
            assertTrue(into.readEntity("order:3", 0, 1000).isEmpty());
            StoredEvent ada = into.get(events.get(events.size() - 1).eventId()).orElseThrow();
            assertTrue(ada.payloadEncrypted() && ada.payloadRedacted(), "the subject stays forgotten in the copy");
            assertTrue(into.verify().ok());
        }
    }

    @Test
    void aDamagedTruncatedOrForeignFileIsRefusedWholeAndBadExportsAreRefused() throws Exception {
        BatpakStore source = kit.open(config(dir.resolve("source")).build());
        fill(source);
        Path ndjson = dir.resolve("e.ndjson");
        Path binary = dir.resolve("e.bin");
        await(source.export(Region.all(), ndjson, ExportFormat.NDJSON));
        await(source.export(Region.all(), binary, ExportFormat.BINARY));
        BatpakStore into = kit.open(config(dir.resolve("target")).build());

        byte[] n = Files.readAllBytes(ndjson);
        Path truncated = dir.resolve("truncated.ndjson");
        Files.write(truncated, java.util.Arrays.copyOf(n, n.length - 40));
        assertFails(InvalidExportFileException.class, into.importFrom(truncated));
        String text = new String(n, StandardCharsets.UTF_8);
        Path changed = dir.resolve("changed.ndjson");
        Files.writeString(changed, text.replaceFirst("value 7", "value 8"));
        InvalidExportFileException e = assertFails(InvalidExportFileException.class, into.importFrom(changed));
        assertTrue(e.position() > 1, e.getMessage());
        Path retagged = dir.resolve("retagged.ndjson");
        Files.writeString(retagged, text.replaceFirst("\"vip\"", "\"vop\""));
        assertFails(InvalidExportFileException.class, into.importFrom(retagged));

        byte[] b = Files.readAllBytes(binary);
        Path flipped = dir.resolve("flipped.bin");
        byte[] f = b.clone();
        f[b.length / 2] ^= 0x10;
        Files.write(flipped, f);
        assertFails(InvalidExportFileException.class, into.importFrom(flipped));
        Path cut = dir.resolve("cut.bin");
        Files.write(cut, java.util.Arrays.copyOf(b, b.length - 1));
        assertFails(InvalidExportFileException.class, into.importFrom(cut));
        Path foreign = dir.resolve("foreign.txt");
        Files.writeString(foreign, "hello\n");
        assertFails(InvalidExportFileException.class, into.importFrom(foreign));
        assertFails(InvalidExportFileException.class, into.importFrom(dir.resolve("missing")));
        assertEquals(-1, into.lastGlobalSequence(), "nothing was imported from a bad file");

        assertFails(InvalidInputException.class, source.export(Region.all(), ndjson, ExportFormat.NDJSON));
        assertFails(InvalidInputException.class, source.export(Region.all(), dir.resolve("no/such/dir/x"),
                ExportFormat.BINARY));
        assertFails(InvalidInputException.class, source.export(null, dir.resolve("x"), ExportFormat.BINARY));
        assertFails(InvalidInputException.class, into.importFrom(null));
        try (Stream<Path> files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().contains(".partial-")), "no partial export");
        }
    }

    @Test
    void anExportOfARegionWhileAppendsRunHoldsExactlyTheRegionUpToItsStart() throws Exception {
        BatpakStore source = kit.open(config(dir.resolve("source")).build());
        fill(source);
        Thread appender = new Thread(() -> {
            for (int i = 0; i < 200; i++) {
                await(source.append(Coordinate.of("order:1", "eu"), KIND, new byte[] {(byte) i}));
            }
        });
        appender.start();
        Path file = dir.resolve("orders.ndjson");
        ExportReport r = await(source.export(Region.entity("order:1"), file, ExportFormat.NDJSON));
        appender.join();
        long expected = source.query(Region.entity("order:1"), -1, 10_000).stream()
                .filter(e -> e.globalSequence() <= r.throughGlobalSequence()).count();
        assertEquals(expected, r.events());
        BatpakStore into = kit.open(config(dir.resolve("target")).build());
        assertEquals(expected, await(into.importFrom(file)).imported());
        assertTrue(into.query(Region.all(), -1, 10_000).stream()
                .allMatch(e -> e.coordinate().entity().equals("order:1")
                        || e.coordinate().entity().equals(ImportRecord.ENTITY)));
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path p : files.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }
}
