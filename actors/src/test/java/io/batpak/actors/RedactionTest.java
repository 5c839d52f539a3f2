package io.batpak.actors;

import static io.batpak.actors.CryptoShreddingTest.assertNotInStoreFiles;
import static io.batpak.actors.CryptoShreddingTest.indexOf;
import static io.batpak.actors.TestSupport.assertFails;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendReceipt;
import io.batpak.core.CompactionPlan;
import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.RedactionRecord;
import io.batpak.core.RedactionReport;
import io.batpak.core.RedactionRequest;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.InvalidCoordinateException;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.PayloadUnavailableException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Redaction: payloads removed, headers, digests and chains kept, recorded as an event, erased from the files. */
class RedactionTest {
    private static final EventKind KIND = EventKind.of(0x1, 0x001);

    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @TempDir
    Path dir;

    private StoreConfig.Builder config(Path store) {
        return StoreConfig.builder(store).segmentMaxBytes(64 * 1024).maxPayloadBytes(16 * 1024);
    }

    private static byte[] secret(String who, int i) {
        return ("{\"name\":\"" + who + "\",\"ssn\":\"SSN-" + who + "-" + i + "-7734\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** Appends 60 events for each of alice, bob and carol, interleaved. */
    private static List<AppendReceipt> fill(BatpakStore store) {
        List<AppendReceipt> out = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            for (String who : List.of("alice", "bob", "carol")) {
                out.add(await(store.append(Coordinate.of("person:" + who, "crm"), KIND, secret(who, i))));
            }
        }
        return out;
    }

    private static void assertVerifies(io.batpak.core.StoreReader store) {
        assertTrue(store.verify().ok(), () -> store.verify().toString());
        for (String who : List.of("alice", "bob", "carol")) {
            assertTrue(store.verifyEntity("person:" + who).ok());
        }
    }

    private static void assertRedacted(io.batpak.core.StoreReader store, String who, int expected) {
        List<StoredEvent> events = store.readEntity("person:" + who, 0, 1000);
        assertEquals(expected, events.size());
        for (StoredEvent e : events) {
            assertTrue(e.payloadRedacted(), e.toString());
            assertEquals(0, e.payloadLength());
            assertThrows(PayloadUnavailableException.class, () -> e.payloadAs(Object.class));
        }
    }

    @Test
    void anEntityIsRedactedAtOnceAndErasedFromEveryFileByTheNextCompaction() throws Exception {
        Path data = dir.resolve("store");
        BatpakStore store = kit.open(config(data).build());
        List<AppendReceipt> all = fill(store);
        List<StoredEvent> before = store.readEntity("person:alice", 0, 1000);

        RedactionReport report = await(store.redact(RedactionRequest.entity("person:alice", "GDPR art. 17, ticket 42")));

        assertEquals(60, report.redacted().size());
        assertFalse(report.erased());
        assertEquals(1, report.records().size());
        assertRedacted(store, "alice", 60);
        List<StoredEvent> after = store.readEntity("person:alice", 0, 1000);
        for (int i = 0; i < 60; i++) {
            StoredEvent b = before.get(i);
            StoredEvent a = after.get(i);
            assertEquals(b.eventId(), a.eventId());
            assertEquals(b.eventHash(), a.eventHash());
            assertEquals(b.prevHash(), a.prevHash());
            assertEquals(b.payloadDigest(), a.payloadDigest());
            assertEquals(b.entitySequence(), a.entitySequence());
            assertEquals(b.globalSequence(), a.globalSequence());
        }
        assertArrayEquals(secret("bob", 3), store.readEntity("person:bob", 3, 1).get(0).payload());
        assertTrue(store.query(Region.entity("person:alice"), -1, 100).stream().allMatch(StoredEvent::payloadRedacted));
        assertTrue(store.get(all.get(0).eventId()).orElseThrow().payloadRedacted());
        assertVerifies(store);

        StoredEvent record = store.get(report.records().get(0)).orElseThrow();
        assertEquals(EventKind.SYSTEM_REDACTION, record.kind());
        assertEquals(RedactionRecord.ENTITY, record.coordinate().entity());
        RedactionRecord r = record.payloadAs(RedactionRecord.class);
        assertEquals("GDPR art. 17, ticket 42", r.reason());
        assertEquals("entity person:alice", r.target());
        assertEquals(60, r.eventIds().size());
        assertEquals(all.get(0).eventId().toString(), r.eventIds().get(0));

        // Until a compaction, the bytes are still in the segments; after it, in no file of the directory.
        byte[] needle = "SSN-alice-".getBytes(StandardCharsets.UTF_8);
        boolean stillThere = false;
        for (Path seg : TestSupport.segmentFiles(data)) {
            stillThere |= indexOf(Files.readAllBytes(seg), needle) >= 0;
        }
        assertTrue(stillThere, "redaction alone does not rewrite files");
        assertEquals(60, await(store.compact(CompactionPlan.ERASE_ONLY)).payloadsErased());
        assertNotInStoreFiles(data, needle, "alice's plaintext", false);
        assertRedacted(store, "alice", 60);
        assertVerifies(store);

        // After reopen (full scan and from the checkpoint) and read-only.
        kit.close(store);
        for (int round = 0; round < 2; round++) {
            if (round == 0) {
                Files.deleteIfExists(data.resolve("index.ckpt"));
            }
            BatpakStore reopened = kit.open(config(data).build());
            assertRedacted(reopened, "alice", 60);
            assertEquals(60, reopened.readEntity("person:bob", 0, 1000).size());
            assertFalse(reopened.readEntity("person:bob", 0, 1).get(0).payloadRedacted());
            assertVerifies(reopened);
            kit.close(reopened);
        }
        assertNotInStoreFiles(data, needle, "alice's plaintext", false);
        try (ReadOnlyStore ro = ReadOnlyStore.open(config(data).build())) {
            assertRedacted(ro, "alice", 60);
            assertVerifies(ro);
        }
    }

    @Test
    void aRedactionRecordedButNotYetCompactedSurvivesAReopen() {
        Path data = dir.resolve("store");
        BatpakStore store = kit.open(config(data).build());
        fill(store);
        await(store.redact(RedactionRequest.entity("person:carol", "erasure request")));
        kit.close(store);
        BatpakStore reopened = kit.open(config(data).build());
        assertRedacted(reopened, "carol", 60);
        assertFalse(reopened.readEntity("person:alice", 0, 1).get(0).payloadRedacted());
    }

    @Test
    void eraseNowRemovesThePlaintextBeforeTheRedactionCompletesIncludingTheActiveSegment() throws Exception {
        Path data = dir.resolve("store");
        BatpakStore store = kit.open(config(data).build());
        fill(store);
        // The newest events of bob are in the active segment.
        await(store.append(Coordinate.of("person:bob", "crm"), KIND, secret("bob", 99)));
        RedactionReport report = await(store.redact(RedactionRequest.entity("person:bob", "erasure").withEraseNow()));
        assertTrue(report.erased());
        assertEquals(61, report.redacted().size());
        assertNotInStoreFiles(data, "SSN-bob-".getBytes(StandardCharsets.UTF_8), "bob's plaintext", false);
        assertRedacted(store, "bob", 61);
        assertVerifies(store);
        // Others are untouched.
        assertArrayEquals(secret("carol", 59), store.readEntity("person:carol", 59, 1).get(0).payload());
    }

    @Test
    void eventIdsAndRegionsCanBeRedactedAndUnknownIdsAreReported() {
        BatpakStore store = kit.open(config(dir.resolve("store")).build());
        List<AppendReceipt> all = fill(store);
        EventId unknown = EventId.generate();
        RedactionReport byIds = await(store.redact(RedactionRequest.events(
                List.of(all.get(0).eventId(), all.get(3).eventId(), unknown), "two of alice's")));
        assertEquals(List.of(all.get(0).eventId(), all.get(3).eventId()), byIds.redacted());
        assertEquals(List.of(unknown), byIds.notFound());
        assertTrue(store.readEntity("person:alice", 0, 1).get(0).payloadRedacted());
        assertFalse(store.readEntity("person:alice", 2, 1).get(0).payloadRedacted());

        // A second redaction of the same events redacts nothing new and records nothing.
        RedactionReport again = await(store.redact(RedactionRequest.events(List.of(all.get(0).eventId()), "again")));
        assertTrue(again.redacted().isEmpty());
        assertTrue(again.records().isEmpty());

        RedactionReport byRegion = await(store.redact(RedactionRequest.region(Region.entity("person:c"), "region")));
        assertEquals(0, byRegion.redacted().size(), "a prefix names a namespace, not a name prefix");
        RedactionReport carol = await(store.redact(RedactionRequest.region(Region.entity("person:carol")
                .withSequenceRange(10, 19), "ten of carol's")));
        assertEquals(10, carol.redacted().size());
        assertTrue(store.readEntity("person:carol", 10, 10).stream().allMatch(StoredEvent::payloadRedacted));
        assertFalse(store.readEntity("person:carol", 20, 1).get(0).payloadRedacted());
        // Records are never redacted themselves.
        RedactionReport records = await(store.redact(RedactionRequest.entity(RedactionRecord.ENTITY, "records")));
        assertTrue(records.redacted().isEmpty());
        assertVerifies(store);
    }

    @Test
    void badRequestsAreRefused() {
        assertThrows(InvalidCoordinateException.class, () -> RedactionRequest.entity("a/b", "why"));
        assertThrows(InvalidInputException.class, () -> RedactionRequest.entity("a", " "));
        assertThrows(InvalidInputException.class, () -> RedactionRequest.entity("a", null));
        assertThrows(InvalidInputException.class, () -> RedactionRequest.entity("a", "x".repeat(1025)));
        assertThrows(InvalidInputException.class, () -> RedactionRequest.events(List.of(), "why"));
        assertThrows(InvalidInputException.class, () -> RedactionRequest.region(null, "why"));
        BatpakStore store = kit.open(config(dir.resolve("store")).build());
        assertFails(InvalidInputException.class, store.redact(null));
    }
}
