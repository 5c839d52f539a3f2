package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.OTHER_KIND;
import static io.batpak.actors.TestSupport.assertChain;
import static io.batpak.actors.TestSupport.assertFails;
import static io.batpak.actors.TestSupport.assertGlobalGapFree;
import static io.batpak.actors.TestSupport.assertStored;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.ExpectedSequence;
import io.batpak.core.Hash;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.PayloadCodec;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoreStats;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.InvalidAppendException;
import io.batpak.core.error.InvalidQueryException;
import io.batpak.core.error.PayloadEncodingException;
import io.batpak.core.error.PayloadTooLargeException;
import io.batpak.core.error.ReservedKindException;
import io.batpak.core.error.SequenceMismatchException;
import io.batpak.core.error.StoreClosedException;
import io.batpak.core.error.StoreException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The public API of {@link BatpakStore}: appends, reads, stats, payloads, validation, lifecycle, typed protocol. */
class StoreApiTest {
    /** A Jackson-serialisable payload. */
    public record OrderPlaced(String orderId, String customer, long cents, List<String> tags) {
    }

    /** A payload Jackson cannot serialise: its only property getter throws. */
    public static final class Exploding {
        public String getValue() {
            throw new IllegalStateException("boom");
        }
    }

    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @TempDir
    Path dir;


    /** Opens a store inside the shared test ActorSystem (cheaper than a system per store). */
    private BatpakStore open(StoreConfig config) {
        return kit.open(config);
    }

    private BatpakStore open() {
        return open(StoreConfig.builder(dir).build());
    }

    private static Coordinate c(String entity) {
        return Coordinate.of(entity, "test");
    }

    // ------------------------------------------------------------------ appends

    @Test
    void appendWithDefaultOptionsStoresARootEvent() {
        BatpakStore store = open();
        AppendReceipt r = await(store.append(c("order:1"), KIND, new byte[] {1, 2, 3}));
        assertEquals(0, r.entitySequence());
        assertEquals(0, r.globalSequence());
        assertEquals(c("order:1"), r.coordinate());
        assertNotNull(r.eventId());
        assertFalse(r.eventHash().isZero());
        assertTrue(r.timestampMicros() > 0);

        StoredEvent e = store.get(r.eventId()).orElseThrow();
        assertEquals(r, e.toReceipt());
        assertEquals(KIND, e.kind());
        assertEquals(e.eventId(), e.correlationId(), "a root event is its own correlation");
        assertEquals(Optional.empty(), e.causationId());
        assertEquals(0, e.flags());
        assertEquals(0, e.payloadVersion());
        assertEquals(Hash.ZERO, e.prevHash());
        assertArrayEquals(new byte[] {1, 2, 3}, e.payload());
    }

    @Test
    void appendWithOptionsStoresThem() {
        BatpakStore store = open();
        EventId correlation = EventId.generate();
        EventId causation = EventId.generate();
        AppendOptions options = AppendOptions.builder().expect(ExpectedSequence.NO_STREAM)
                .idempotencyKey(UUID.randomUUID()).correlationId(correlation).causationId(causation).flags(0xA5)
                .build();
        AppendReceipt r = await(store.append(c("order:2"), OTHER_KIND, "hello", options));
        StoredEvent e = store.get(r.eventId()).orElseThrow();
        assertEquals(correlation, e.correlationId());
        assertEquals(Optional.of(causation), e.causationId());
        assertEquals(0xA5, e.flags());
        assertEquals(OTHER_KIND, e.kind());
        assertEquals("hello", e.payloadAs(String.class));
        assertEquals(r, e.toReceipt());
    }

    @Test
    void appendReactionInheritsCorrelationAndPointsAtItsCause() {
        BatpakStore store = open();
        AppendReceipt rootReceipt = await(store.append(c("order:3"), KIND, "placed"));
        StoredEvent root = store.get(rootReceipt.eventId()).orElseThrow();

        AppendReceipt reactionReceipt = await(store.appendReaction(c("shipment:3"), OTHER_KIND, "ship it", root));
        StoredEvent reaction = store.get(reactionReceipt.eventId()).orElseThrow();
        assertEquals(root.eventId(), reaction.correlationId(), "correlation of a root's reaction is the root id");
        assertEquals(Optional.of(root.eventId()), reaction.causationId());

        // A reaction to the reaction keeps the original correlation, causation moves one step.
        AppendReceipt secondReceipt = await(store.appendReaction(c("invoice:3"), KIND, "bill it", reaction));
        StoredEvent second = store.get(secondReceipt.eventId()).orElseThrow();
        assertEquals(root.eventId(), second.correlationId());
        assertEquals(Optional.of(reaction.eventId()), second.causationId());

        InvalidAppendException noCause = assertFails(InvalidAppendException.class,
                store.appendReaction(c("x"), KIND, "p", null));
        assertTrue(noCause.getMessage().contains("cause"), noCause.getMessage());
        assertEquals(2, store.lastGlobalSequence());
    }

    @Test
    void appendBatchStoresItemsContiguouslyInOrder() {
        BatpakStore store = open();
        await(store.append(c("a"), KIND, "a0"));
        List<AppendRequest> batch = List.of(
                AppendRequest.of(c("a"), KIND, "a1", AppendOptions.builder().expect(ExpectedSequence.exact(0)).build()),
                AppendRequest.of(c("b"), OTHER_KIND, "b0",
                        AppendOptions.builder().expect(ExpectedSequence.NO_STREAM).build()),
                AppendRequest.of(c("a"), KIND, "a2", AppendOptions.builder().expect(ExpectedSequence.exact(1)).build()),
                AppendRequest.of(c("b"), KIND, new byte[] {9}));
        List<AppendReceipt> receipts = await(store.appendBatch(batch));
        assertEquals(4, receipts.size());
        for (int i = 0; i < receipts.size(); i++) {
            assertEquals(1 + i, receipts.get(i).globalSequence(), "global sequence of item " + i);
            assertEquals(batch.get(i).coordinate(), receipts.get(i).coordinate());
            assertStored(store, receipts.get(i));
        }
        assertEquals(List.of(1L, 0L, 2L, 1L), receipts.stream().map(AppendReceipt::entitySequence).toList());
        List<StoredEvent> a = assertChain(store, "a", 3);
        assertEquals(List.of("a0", "a1", "a2"), a.stream().map(e -> e.payloadAs(String.class)).toList());
        List<StoredEvent> b = assertChain(store, "b", 2);
        assertEquals("b0", b.get(0).payloadAs(String.class));
        assertArrayEquals(new byte[] {9}, b.get(1).payload());
        assertEquals(4, store.lastGlobalSequence());
    }

    // ------------------------------------------------------------------ reads

    @Test
    void lastEntitySequenceIsTheEntitysHeadFromTheIndex() {
        BatpakStore store = open();
        assertEquals(-1, store.lastEntitySequence("order:1"));
        await(store.append(c("order:1"), KIND, new byte[] {1}));
        await(store.append(c("order:2"), KIND, new byte[] {2}));
        await(store.append(c("order:1"), KIND, new byte[] {3}));
        assertEquals(1, store.lastEntitySequence("order:1"));
        assertEquals(0, store.lastEntitySequence("order:2"));
        assertEquals(-1, store.lastEntitySequence("order"), "a namespace is not an entity");
        assertThrows(InvalidQueryException.class, () -> store.lastEntitySequence(null));
    }

    @Test
    void getFindsPresentEventsOnly() {
        BatpakStore store = open();
        AppendReceipt r = await(store.append(c("e"), KIND, "x"));
        assertTrue(store.get(r.eventId()).isPresent());
        assertEquals(Optional.empty(), store.get(EventId.generate()));
        assertThrows(InvalidQueryException.class, () -> store.get(null));
    }

    @Test
    void readEntityPagesThroughOneEntity() {
        BatpakStore store = open();
        for (int i = 0; i < 10; i++) {
            await(store.append(c("paged"), KIND, "p" + i));
            await(store.append(c("noise"), KIND, "n" + i));
        }
        assertEquals(List.of(0L, 1L, 2L), seqs(store.readEntity("paged", 0, 3)));
        assertEquals(List.of(3L, 4L, 5L), seqs(store.readEntity("paged", 3, 3)));
        assertEquals(List.of(9L), seqs(store.readEntity("paged", 9, 5)));
        assertEquals(List.of(), store.readEntity("paged", 10, 5), "from the end");
        assertEquals(List.of(), store.readEntity("paged", 1_000, 5), "beyond the end");
        assertEquals(List.of(), store.readEntity("paged", 0, 0), "max 0");
        assertEquals(List.of(), store.readEntity("unknown", 0, 10), "unknown entity");
        List<StoredEvent> all = store.readEntity("paged", 0, Integer.MAX_VALUE);
        assertEquals(10, all.size());
        for (int i = 0; i < 10; i++) {
            assertEquals("paged", all.get(i).coordinate().entity());
            assertEquals("p" + i, all.get(i).payloadAs(String.class));
            assertEquals(2L * i, all.get(i).globalSequence());
        }
        InvalidQueryException from = assertThrows(InvalidQueryException.class,
                () -> store.readEntity("paged", -1, 5));
        assertTrue(from.getMessage().contains("fromSequence"), from.getMessage());
        InvalidQueryException max = assertThrows(InvalidQueryException.class,
                () -> store.readEntity("paged", 0, -1));
        assertTrue(max.getMessage().contains("max"), max.getMessage());
    }

    private static List<Long> seqs(List<StoredEvent> events) {
        return events.stream().map(StoredEvent::entitySequence).toList();
    }

    @Test
    void lastGlobalSequenceIsMinusOneWhenEmptyThenTracksAppends() {
        BatpakStore store = open();
        assertEquals(-1, store.lastGlobalSequence());
        await(store.append(c("e"), KIND, "x"));
        assertEquals(0, store.lastGlobalSequence());
        await(store.appendBatch(List.of(AppendRequest.of(c("e"), KIND, "y"), AppendRequest.of(c("f"), KIND, "z"))));
        assertEquals(2, store.lastGlobalSequence());
    }

    @Test
    void statsCountersMove() {
        BatpakStore store = open(StoreConfig.builder(dir).segmentMaxBytes(64 * 1024).maxPayloadBytes(2000).build());
        StoreStats before = store.stats();
        assertEquals(0, before.events());
        assertEquals(0, before.appends());
        assertEquals(0, before.fsyncs());
        assertEquals(0, before.groupCommits());
        assertEquals(0.0, before.averageGroupCommitSize());
        assertEquals(1, before.segments(), "an empty store has its first segment");
        assertEquals(64, before.bytes(), "an empty segment is its header");
        assertFalse(before.failed());

        byte[] payload = new byte[1500];
        for (int i = 0; i < 60; i++) {
            await(store.append(c("stats"), KIND, payload));
        }
        await(store.appendBatch(List.of(AppendRequest.of(c("stats"), KIND, payload),
                AppendRequest.of(c("stats"), KIND, payload))));
        StoreStats after = store.stats();
        assertEquals(62, after.events());
        assertEquals(62, after.appends());
        assertTrue(after.groupCommits() >= 1 && after.groupCommits() <= 61, "group commits " + after.groupCommits());
        assertTrue(after.fsyncs() >= after.groupCommits(), "every commit forced: " + after);
        assertTrue(after.segments() >= 2, "60 x 1.7 KB must rotate a 64 KiB segment: " + after);
        assertTrue(after.bytes() > 62L * 1500, "bytes " + after.bytes());
        assertEquals(after.appends() / (double) after.groupCommits(), after.averageGroupCommitSize(), 1e-9);
        assertEquals(0, after.failedAppends());
        assertFalse(after.failed());
    }

    // ------------------------------------------------------------------ payloads

    @Test
    void jacksonRecordRoundTripsAndRawBytesAreStoredAsIs() {
        BatpakStore store = open();
        OrderPlaced order = new OrderPlaced("42", "ada", 1999, List.of("gift", "express"));
        AppendReceipt r1 = await(store.append(c("order:42"), KIND, order));
        assertEquals(order, store.get(r1.eventId()).orElseThrow().payloadAs(OrderPlaced.class));

        byte[] raw = {0, (byte) 0xFF, 0x7F, (byte) 0x80, 42};
        AppendReceipt r2 = await(store.append(c("order:42"), KIND, raw));
        StoredEvent e2 = store.get(r2.eventId()).orElseThrow();
        assertArrayEquals(raw, e2.payload(), "raw bytes are not re-encoded");
        assertEquals(raw.length, e2.payloadLength());
        assertArrayEquals(raw, e2.payloadAs(byte[].class));

        AppendReceipt r3 = await(store.append(c("order:42"), KIND, new byte[0]));
        assertEquals(0, store.get(r3.eventId()).orElseThrow().payloadLength());

        PayloadEncodingException wrongType = assertThrows(PayloadEncodingException.class,
                () -> store.get(r1.eventId()).orElseThrow().payloadAs(Integer.class));
        assertTrue(wrongType.getMessage().contains("java.lang.Integer"), wrongType.getMessage());
    }

    @Test
    void rawPayloadIsCapturedWhenAppendIsCalled() {
        BatpakStore store = open();
        List<CompletionStage<AppendReceipt>> stages = new ArrayList<>();
        List<CompletionStage<List<AppendReceipt>>> batches = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            byte[] single = {1, 2, 3, 4};
            stages.add(store.append(c("alias"), KIND, single));
            Arrays.fill(single, (byte) 0); // the caller reuses its buffer right after the call
            byte[] item = {5, 6, 7, 8};
            batches.add(store.appendBatch(List.of(AppendRequest.of(c("alias-batch"), KIND, item))));
            Arrays.fill(item, (byte) 0);
        }
        for (CompletionStage<AppendReceipt> s : stages) {
            assertArrayEquals(new byte[] {1, 2, 3, 4}, store.get(await(s).eventId()).orElseThrow().payload());
        }
        for (CompletionStage<List<AppendReceipt>> s : batches) {
            assertArrayEquals(new byte[] {5, 6, 7, 8}, store.get(await(s).get(0).eventId()).orElseThrow().payload());
        }
        assertChain(store, "alias", 50);
        assertChain(store, "alias-batch", 50);
    }

    @Test
    void customObjectMapperIsUsedForEncodingAndDecoding() throws Exception {
        CBORMapper mapper = CBORMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
        BatpakStore store = open(StoreConfig.builder(dir).codec(new PayloadCodec(mapper)).build());
        OrderPlaced order = new OrderPlaced("7", "grace", 500, List.of());
        AppendReceipt r = await(store.append(c("order:7"), KIND, order));
        StoredEvent e = store.get(r.eventId()).orElseThrow();
        JsonNode tree = mapper.readTree(e.payload());
        assertTrue(tree.has("order_id"), "encoded with the configured naming strategy: " + tree);
        assertFalse(tree.has("orderId"), tree.toString());
        assertEquals(order, e.payloadAs(OrderPlaced.class));
        // The default codec cannot read the snake_case field names back into the record.
        assertNotEquals(order.orderId(),
                PayloadCodec.defaultCodec().mapper().readTree(e.payload()).path("orderId").asText(null));
    }

    // ------------------------------------------------------------------ validation

    /** Calls an append that must not throw and must fail its stage with {@code type}. */
    private static <E extends StoreException> E rejected(Class<E> type, Supplier<CompletionStage<?>> call) {
        CompletionStage<?> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            throw new AssertionError("append threw instead of failing its stage", e);
        }
        return assertFails(type, stage);
    }

    private static void assertMentions(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should mention \"" + p + "\": " + e.getMessage());
        }
    }

    @Test
    void reservedKindsAreRejected() {
        BatpakStore store = open();
        EventKind system = EventKind.of(0x0, 0x001);
        EventKind effect = EventKind.of(0xD, 0x123);
        assertMentions(rejected(ReservedKindException.class, () -> store.append(c("e"), system, "x")), "0x0001", "0x0");
        assertMentions(rejected(ReservedKindException.class, () -> store.append(c("e"), effect, "x")), "0xD123", "0xD");
        assertMentions(rejected(ReservedKindException.class, () -> store.appendBatch(List.of(
                AppendRequest.of(c("e"), KIND, "ok"), AppendRequest.of(c("e"), effect, "x")))), "0xD123");
        // Neighbouring categories are fine.
        await(store.append(c("e"), EventKind.of(0xC, 0xFFF), "x"));
        await(store.append(c("e"), EventKind.of(0xE, 0), "x"));
        assertEquals(1, store.lastGlobalSequence(), "only the two valid appends were stored");
    }

    @Test
    void payloadTooLargeIsRejected() {
        BatpakStore store = open(StoreConfig.builder(dir).maxPayloadBytes(1000).build());
        PayloadTooLargeException e = rejected(PayloadTooLargeException.class,
                () -> store.append(c("e"), KIND, new byte[1001]));
        assertEquals(1001, e.size());
        assertEquals(1000, e.limit());
        assertMentions(e, "1001", "1000");
        PayloadTooLargeException encoded = rejected(PayloadTooLargeException.class,
                () -> store.append(c("e"), KIND, "x".repeat(2000)));
        assertTrue(encoded.size() > 1000, "limit applies to the encoded size");
        rejected(PayloadTooLargeException.class, () -> store.appendBatch(List.of(
                AppendRequest.of(c("e"), KIND, new byte[10]), AppendRequest.of(c("e"), KIND, new byte[1001]))));
        AppendReceipt atLimit = await(store.append(c("e"), KIND, new byte[1000]));
        assertEquals(0, atLimit.globalSequence(), "nothing rejected was stored");
    }

    @Test
    void nullInputsAreRejected() {
        BatpakStore store = open();
        assertMentions(rejected(InvalidAppendException.class, () -> store.append(null, KIND, "x")), "coordinate");
        assertMentions(rejected(InvalidAppendException.class, () -> store.append(c("e"), null, "x")), "kind");
        assertMentions(rejected(InvalidAppendException.class, () -> store.append(c("e"), KIND, null)), "payload");
        assertMentions(rejected(InvalidAppendException.class, () -> store.append(c("e"), KIND, "x", null)), "options");
        assertMentions(rejected(InvalidAppendException.class, () -> store.appendBatch(Arrays.asList(
                AppendRequest.of(c("e"), KIND, "x"), null))), "batch item 1", "null");
        assertEquals(-1, store.lastGlobalSequence());
    }

    @Test
    void unserialisablePayloadIsRejected() {
        BatpakStore store = open();
        assertMentions(rejected(PayloadEncodingException.class, () -> store.append(c("e"), KIND, new Object())),
                "java.lang.Object");
        assertMentions(rejected(PayloadEncodingException.class, () -> store.append(c("e"), KIND, new Exploding())),
                Exploding.class.getName());
        rejected(PayloadEncodingException.class, () -> store.appendBatch(List.of(
                AppendRequest.of(c("e"), KIND, "fine"), AppendRequest.of(c("e"), KIND, new Object()))));
        assertEquals(-1, store.lastGlobalSequence());
    }

    @Test
    void invalidBatchesAreRejected() {
        BatpakStore store = open(StoreConfig.builder(dir).maxBatchItems(3).build());
        assertMentions(rejected(InvalidAppendException.class, () -> store.appendBatch(List.of())), "at least one");
        assertMentions(rejected(InvalidAppendException.class, () -> store.appendBatch(null)), "at least one");

        List<AppendRequest> four = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            four.add(AppendRequest.of(c("e"), KIND, "x" + i));
        }
        assertMentions(rejected(InvalidAppendException.class, () -> store.appendBatch(four)), "4 items", "3");

        IdempotencyKey key = IdempotencyKey.of(UUID.randomUUID());
        AppendOptions keyed = AppendOptions.builder().idempotencyKey(key).build();
        assertMentions(rejected(InvalidAppendException.class, () -> store.appendBatch(List.of(
                AppendRequest.of(c("e"), KIND, "a", keyed), AppendRequest.of(c("f"), KIND, "b", keyed)))),
                "batch item 1", key.toString());

        assertEquals(-1, store.lastGlobalSequence(), "no rejected batch stored anything");
        assertEquals(3, await(store.appendBatch(four.subList(0, 3))).size(), "max-batch-items itself is allowed");
    }

    @Test
    void batchLargerThanOneSegmentIsRejected() {
        BatpakStore store = open(StoreConfig.builder(dir).segmentMaxBytes(64 * 1024).maxPayloadBytes(30_000)
                .maxBatchItems(100).build());
        List<AppendRequest> batch = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            batch.add(AppendRequest.of(c("e"), KIND, new byte[30_000]));
        }
        assertMentions(rejected(InvalidAppendException.class, () -> store.appendBatch(batch)), "segment");
        assertEquals(-1, store.lastGlobalSequence());
        assertEquals(2, await(store.appendBatch(batch.subList(0, 2))).size(), "two items do fit");
    }

    // ------------------------------------------------------------------ expected sequence

    @Test
    void expectedSequenceMismatchesNameEntityExpectedAndActual() {
        BatpakStore store = open();
        AppendOptions noStream = AppendOptions.builder().expect(ExpectedSequence.NO_STREAM).build();
        AppendOptions exists = AppendOptions.builder().expect(ExpectedSequence.STREAM_EXISTS).build();

        SequenceMismatchException empty = assertFails(SequenceMismatchException.class,
                store.append(c("acct"), KIND, "x", exists));
        assertEquals("acct", empty.entity());
        assertEquals(ExpectedSequence.STREAM_EXISTS, empty.expected());
        assertEquals(-1, empty.actual());
        assertMentions(empty, "acct", "STREAM_EXISTS");

        assertEquals(0, await(store.append(c("acct"), KIND, "x", noStream)).entitySequence());
        SequenceMismatchException again = assertFails(SequenceMismatchException.class,
                store.append(c("acct"), KIND, "x", noStream));
        assertEquals(ExpectedSequence.NO_STREAM, again.expected());
        assertEquals(0, again.actual());

        assertEquals(1, await(store.append(c("acct"), KIND, "x", exists)).entitySequence());
        assertEquals(2, await(store.append(c("acct"), KIND, "x",
                AppendOptions.builder().expect(ExpectedSequence.exact(1)).build())).entitySequence());
        SequenceMismatchException stale = assertFails(SequenceMismatchException.class, store.append(c("acct"), KIND,
                "x", AppendOptions.builder().expect(ExpectedSequence.exact(1)).build()));
        assertEquals(ExpectedSequence.exact(1), stale.expected());
        assertEquals(2, stale.actual());
        assertMentions(stale, "acct", "exact(1)", "2");
        SequenceMismatchException ahead = assertFails(SequenceMismatchException.class, store.append(c("acct"), KIND,
                "x", AppendOptions.builder().expect(ExpectedSequence.exact(5)).build()));
        assertEquals(2, ahead.actual());

        // A batch whose second item mismatches stores nothing.
        SequenceMismatchException inBatch = assertFails(SequenceMismatchException.class, store.appendBatch(List.of(
                AppendRequest.of(c("other"), KIND, "y"),
                AppendRequest.of(c("acct"), KIND, "y", AppendOptions.builder().expect(ExpectedSequence.exact(0)).build()))));
        assertEquals("acct", inBatch.entity());
        assertEquals(2, inBatch.actual());
        assertEquals(3, store.readEntity("acct", 0, 100).size());
        assertEquals(List.of(), store.readEntity("other", 0, 100));
        assertEquals(2, store.lastGlobalSequence());
        // Refused batches spanning other partitions leave no trace on the heads they prepared.
        for (int i = 0; i < 8; i++) {
            String entity = "other-" + i;
            assertFails(SequenceMismatchException.class, store.appendBatch(List.of(
                    AppendRequest.of(c(entity), KIND, "y"), AppendRequest.of(c(entity), KIND, "y"),
                    AppendRequest.of(c("acct"), KIND, "y", AppendOptions.builder().expect(ExpectedSequence.exact(7)).build()),
                    AppendRequest.of(c("z-" + i), KIND, "y"))));
        }
        for (int i = 0; i < 8; i++) {
            assertEquals(0, await(store.append(c("other-" + i), KIND, "first")).entitySequence());
            assertEquals(0, await(store.append(c("z-" + i), KIND, "first")).entitySequence());
            assertChain(store, "other-" + i, 1);
        }
        assertEquals(3, await(store.append(c("acct"), KIND, "x")).entitySequence());
        assertChain(store, "acct", 4);
        assertEquals(2 + 17, store.lastGlobalSequence());
        assertThrows(InvalidAppendException.class, () -> ExpectedSequence.exact(-1));
    }

    @Test
    void sequencesAreGapFreeAndChainsLinkUnderConcurrentAppends() {
        BatpakStore store = open();
        List<String> entities = List.of("s0", "s1", "s2", "s3", "s4");
        List<CompletionStage<AppendReceipt>> stages = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            for (String entity : entities) {
                stages.add(store.append(c(entity), KIND, entity + "-" + i));
            }
        }
        List<AppendReceipt> receipts = stages.stream().map(TestSupport::await).toList();
        for (String entity : entities) {
            List<StoredEvent> events = assertChain(store, entity, 40);
            for (int i = 0; i < 40; i++) {
                assertEquals(entity + "-" + i, events.get(i).payloadAs(String.class), "per-entity issue order");
            }
        }
        assertGlobalGapFree(store, entities);
        Set<Long> globals = new HashSet<>();
        for (AppendReceipt r : receipts) {
            assertTrue(globals.add(r.globalSequence()));
            assertStored(store, r);
        }
        assertEquals(199, store.lastGlobalSequence());
    }

    @Test
    void chainStartsAtZeroAndLinksEachEventToItsPredecessor() {
        BatpakStore store = open();
        List<AppendReceipt> receipts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            receipts.add(await(store.append(c("chain"), KIND, "e" + i)));
            await(store.append(c("elsewhere"), KIND, "noise" + i));
        }
        List<StoredEvent> events = assertChain(store, "chain", 5);
        assertEquals(Hash.ZERO, events.get(0).prevHash());
        for (int i = 1; i < 5; i++) {
            assertEquals(receipts.get(i - 1).eventHash(), events.get(i).prevHash());
            assertNotEquals(events.get(i - 1).eventHash(), events.get(i).eventHash());
        }
        assertChain(store, "elsewhere", 5);
    }

    // ------------------------------------------------------------------ lifecycle

    @Test
    void reopenKeepsEverything() {
        for (boolean checkpoint : new boolean[] {true, false}) {
            Path storeDir = dir.resolve("cp-" + checkpoint);
            StoreConfig config = StoreConfig.builder(storeDir).checkpointOnClose(checkpoint).build();
            BatpakStore store = open(config);
            List<AppendReceipt> receipts = new ArrayList<>();
            receipts.add(await(store.append(c("r1"), KIND, new OrderPlaced("1", "a", 1, List.of("t")))));
            receipts.add(await(store.append(c("r1"), OTHER_KIND, new byte[] {1, 2},
                    AppendOptions.builder().flags(3).idempotencyKey(UUID.randomUUID()).build())));
            StoredEvent cause = store.get(receipts.get(0).eventId()).orElseThrow();
            receipts.add(await(store.appendReaction(c("r2"), KIND, "reaction", cause)));
            receipts.addAll(await(store.appendBatch(List.of(AppendRequest.of(c("r2"), KIND, "b1"),
                    AppendRequest.of(c("r3"), KIND, "b2")))));
            List<StoredEvent> before = new ArrayList<>();
            for (AppendReceipt r : receipts) {
                before.add(store.get(r.eventId()).orElseThrow());
            }
            TestSupport.closeStore(store);

            BatpakStore reopened = open(config);
            assertEquals(checkpoint, reopened.stats().openedFromCheckpoint());
            assertEquals(receipts.size() - 1, reopened.lastGlobalSequence());
            assertEquals(receipts.size(), reopened.stats().events());
            for (int i = 0; i < receipts.size(); i++) {
                StoredEvent after = reopened.get(receipts.get(i).eventId()).orElseThrow();
                assertEquals(receipts.get(i), after.toReceipt());
                StoredEvent old = before.get(i);
                assertEquals(old.kind(), after.kind());
                assertEquals(old.correlationId(), after.correlationId());
                assertEquals(old.causationId(), after.causationId());
                assertEquals(old.flags(), after.flags());
                assertEquals(old.prevHash(), after.prevHash());
                assertArrayEquals(old.payload(), after.payload());
            }
            assertChain(reopened, "r1", 2);
            assertChain(reopened, "r2", 2);
            assertChain(reopened, "r3", 1);
            // Appending continues both sequences and the chain.
            AppendReceipt next = await(reopened.append(c("r1"), KIND, "after reopen"));
            assertEquals(receipts.size(), next.globalSequence());
            assertEquals(2, next.entitySequence());
            assertChain(reopened, "r1", 3);
            assertTrue(next.timestampMicros() > receipts.get(receipts.size() - 1).timestampMicros());
            TestSupport.closeStore(reopened);
        }
    }

    @Test
    void appendAfterCloseFailsAndCloseIsIdempotent() {
        BatpakStore store = open();
        await(store.append(c("e"), KIND, "x"));
        CompletionStage<?> first = store.closeAsync();
        CompletionStage<?> second = store.closeAsync();
        await(first);
        await(second);
        await(store.closeAsync());
        store.close(); // AutoCloseable: the blocking close is idempotent too
        assertMentions(assertFails(StoreClosedException.class, store.append(c("e"), KIND, "y")), "closed");
        assertFails(StoreClosedException.class, store.appendBatch(List.of(AppendRequest.of(c("e"), KIND, "z"))));
        assertFails(StoreClosedException.class, store.appendReaction(c("e"), KIND, "z",
                new StoredEvent(EventId.generate(), c("e"), KIND, 0, 0, 1, EventId.generate(), null, 0, 0, Hash.ZERO,
                        Hash.ZERO, new byte[0], PayloadCodec.defaultCodec())));
        BatpakStore reopened = open();
        assertEquals(0, reopened.lastGlobalSequence(), "only the append before close was stored");
    }

    @Test
    void ownActorSystemIsTerminatedOnClose() {
        BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).build());
        try {
            await(store.append(c("own"), KIND, "x"));
            assertFalse(store.system().getWhenTerminated().toCompletableFuture().isDone());
        } finally {
            TestSupport.closeStore(store);
        }
        assertTrue(store.system().getWhenTerminated().toCompletableFuture().isDone(), "close completes after the system terminated");
    }

    @Test
    void embeddedStoreLeavesTheCallersSystemRunning() {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "embedding-app");
        try {
            BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).build(), system);
            try {
                assertSame(system, store.system());
                await(store.append(c("emb"), KIND, "x"));
            } finally {
                TestSupport.closeStore(store);
            }
            assertFalse(system.getWhenTerminated().toCompletableFuture().isDone(), "the caller's system must keep running");
            // The system still works and can host the same store again.
            BatpakStore again = BatpakStore.open(StoreConfig.builder(dir).build(), system);
            try {
                assertEquals(1, await(again.append(c("emb"), KIND, "y")).entitySequence());
            } finally {
                TestSupport.closeStore(again);
            }
            assertFalse(system.getWhenTerminated().toCompletableFuture().isDone());
        } finally {
            system.terminate();
            await(system.getWhenTerminated());
        }
    }

    @Test
    void closeWhileAppendingCompletesEveryAppendOneWayOrTheOther() throws Exception {
        for (int cycle = 0; cycle < 10; cycle++) {
            Path storeDir = dir.resolve("cycle-" + cycle);
            BatpakStore store = open(StoreConfig.builder(storeDir).build());
            List<List<CompletionStage<AppendReceipt>>> perThread = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(4);
            for (int t = 0; t < 4; t++) {
                List<CompletionStage<AppendReceipt>> stages = java.util.Collections.synchronizedList(new ArrayList<>());
                perThread.add(stages);
                String entity = "closing-" + t;
                Thread thread = new Thread(() -> {
                    started.countDown();
                    for (int i = 0; i < 100_000; i++) {
                        CompletionStage<AppendReceipt> s = store.append(c(entity), KIND, entity + "#" + i);
                        stages.add(s);
                        if (s.toCompletableFuture().isCompletedExceptionally()) {
                            return; // refused because the store closed
                        }
                        if (i % 50 == 49) {
                            s.toCompletableFuture().join();
                        }
                    }
                });
                threads.add(thread);
                thread.start();
            }
            started.await();
            while (store.stats().appends() < 20) {
                Thread.sleep(1);
            }
            await(store.closeAsync());
            for (Thread t : threads) {
                t.join(60_000);
                assertFalse(t.isAlive());
            }
            List<AppendReceipt> stored = new ArrayList<>();
            for (List<CompletionStage<AppendReceipt>> stages : perThread) {
                for (CompletionStage<AppendReceipt> s : stages) {
                    CompletableFuture<AppendReceipt> f = s.toCompletableFuture();
                    assertTrue(f.isDone(), "close completed, but an append accepted before it did not");
                    if (!f.isCompletedExceptionally()) {
                        stored.add(await(s));
                    } else {
                        assertInstanceOf(StoreClosedException.class, TestSupport.failureOf(s), "cycle " + cycle);
                    }
                }
            }
            BatpakStore reopened = open(StoreConfig.builder(storeDir).build());
            assertEquals(stored.size() - 1, reopened.lastGlobalSequence(), "cycle " + cycle);
            stored.forEach(r -> assertStored(reopened, r));
            TestSupport.closeStore(reopened);
        }
    }

    // ------------------------------------------------------------------ typed protocol

    @Test
    void typedProtocolAnswersBadArgumentsWithAnErrorAndKeepsServing() {
        BatpakStore store = open();
        AppendReceipt r = await(store.append(c("robust"), KIND, "x"));
        TestProbe<StatusReply<Optional<StoredEvent>>> getProbe = kit.testKit().createTestProbe();
        store.ref().tell(new StoreCommand.Get(null, getProbe.getRef()));
        StatusReply<Optional<StoredEvent>> refused = getProbe.receiveMessage(java.time.Duration.ofSeconds(30));
        assertTrue(refused.isError());
        assertInstanceOf(InvalidQueryException.class, refused.getError());
        TestProbe<StatusReply<AppendReceipt>> appendProbe = kit.testKit().createTestProbe();
        store.ref().tell(new StoreCommand.Append(null, KIND, new byte[] {1}, AppendOptions.DEFAULT, appendProbe.getRef()));
        assertInstanceOf(InvalidAppendException.class,
                appendProbe.receiveMessage(java.time.Duration.ofSeconds(30)).getError());
        store.ref().tell(new StoreCommand.Append(c("robust"), KIND, null, AppendOptions.DEFAULT, appendProbe.getRef()));
        assertInstanceOf(InvalidAppendException.class,
                appendProbe.receiveMessage(java.time.Duration.ofSeconds(30)).getError());
        TestProbe<StatusReply<StoreStats>> statsProbe = kit.testKit().createTestProbe();
        store.ref().tell(new StoreCommand.GetStats(statsProbe.getRef()));
        assertEquals(1, statsProbe.receiveMessage(java.time.Duration.ofSeconds(30)).getValue().events());
        store.ref().tell(new StoreCommand.Get(r.eventId(), getProbe.getRef()));
        assertEquals(r, getProbe.receiveMessage(java.time.Duration.ofSeconds(30)).getValue().orElseThrow().toReceipt());
        store.ref().tell(new StoreCommand.Append(c("robust"), KIND, new byte[] {2}, AppendOptions.DEFAULT,
                appendProbe.getRef()));
        assertEquals(1, appendProbe.receiveMessage(java.time.Duration.ofSeconds(30)).getValue().entitySequence());
    }

    @Test
    void theTypedProtocolCannotStopTheStore() {
        // The protocol is plain data with no stop or close command: every permitted subtype is a request.
        for (Class<?> c : StoreCommand.class.getPermittedSubclasses()) {
            assertTrue(c.isRecord(), c + " is a request record, not a control signal");
            assertFalse(c.getSimpleName().toLowerCase(java.util.Locale.ROOT).contains("stop")
                    || c.getSimpleName().toLowerCase(java.util.Locale.ROOT).contains("shutdown"), c.getName());
        }
    }

    @Test
    void typedProtocolAppendSucceedsAndFails() {
        BatpakStore store = open();
        TestProbe<StatusReply<AppendReceipt>> probe = kit.testKit().createTestProbe();
        store.ref().tell(new StoreCommand.Append(c("typed"), KIND, new byte[] {'x'}, AppendOptions.DEFAULT,
                probe.getRef()));
        StatusReply<AppendReceipt> ok = probe.receiveMessage(java.time.Duration.ofSeconds(30));
        assertTrue(ok.isSuccess());
        assertEquals(0, ok.getValue().entitySequence());
        assertStored(store, ok.getValue());

        store.ref().tell(new StoreCommand.Append(c("typed"), EventKind.of(0xD, 1), new byte[] {'x'}, AppendOptions.DEFAULT,
                probe.getRef()));
        StatusReply<AppendReceipt> reserved = probe.receiveMessage(java.time.Duration.ofSeconds(30));
        assertTrue(reserved.isError());
        assertInstanceOf(ReservedKindException.class, reserved.getError());

        store.ref().tell(new StoreCommand.Append(c("typed"), KIND, new byte[] {'x'},
                AppendOptions.builder().expect(ExpectedSequence.NO_STREAM).build(), probe.getRef()));
        StatusReply<AppendReceipt> mismatch = probe.receiveMessage(java.time.Duration.ofSeconds(30));
        assertTrue(mismatch.isError());
        SequenceMismatchException m = assertInstanceOf(SequenceMismatchException.class, mismatch.getError());
        assertEquals(0, m.actual());
        assertEquals(0, store.lastGlobalSequence());
    }

    @Test
    void typedProtocolBatchGetReadAndStats() {
        BatpakStore store = open();
        TestProbe<StatusReply<List<AppendReceipt>>> batchProbe = kit.testKit().createTestProbe();
        store.ref().tell(new StoreCommand.AppendBatch(List.of(
                new StoreCommand.BatchItem(c("t1"), KIND, new byte[] {'a'}, 0, AppendOptions.DEFAULT),
                new StoreCommand.BatchItem(c("t2"), KIND, new byte[] {'b'}, 0, AppendOptions.DEFAULT)),
                batchProbe.getRef()));
        StatusReply<List<AppendReceipt>> batch = batchProbe.receiveMessage(java.time.Duration.ofSeconds(30));
        assertTrue(batch.isSuccess());
        List<AppendReceipt> receipts = batch.getValue();
        assertEquals(List.of(0L, 1L), receipts.stream().map(AppendReceipt::globalSequence).toList());

        store.ref().tell(new StoreCommand.AppendBatch(List.of(), batchProbe.getRef()));
        StatusReply<List<AppendReceipt>> empty = batchProbe.receiveMessage(java.time.Duration.ofSeconds(30));
        assertTrue(empty.isError());
        assertInstanceOf(InvalidAppendException.class, empty.getError());

        TestProbe<StatusReply<Optional<StoredEvent>>> getProbe = kit.testKit().createTestProbe();
        store.ref().tell(new StoreCommand.Get(receipts.get(1).eventId(), getProbe.getRef()));
        Optional<StoredEvent> got = getProbe.receiveMessage(java.time.Duration.ofSeconds(30)).getValue();
        assertEquals(receipts.get(1), got.orElseThrow().toReceipt());
        store.ref().tell(new StoreCommand.Get(EventId.generate(), getProbe.getRef()));
        assertEquals(Optional.empty(), getProbe.receiveMessage(java.time.Duration.ofSeconds(30)).getValue());

        TestProbe<StatusReply<List<StoredEvent>>> readProbe = kit.testKit().createTestProbe();
        store.ref().tell(new StoreCommand.ReadEntity("t1", 0, 10, readProbe.getRef()));
        StatusReply<List<StoredEvent>> read = readProbe.receiveMessage(java.time.Duration.ofSeconds(30));
        assertTrue(read.isSuccess());
        assertEquals(1, read.getValue().size());
        assertEquals(receipts.get(0), read.getValue().get(0).toReceipt());
        store.ref().tell(new StoreCommand.ReadEntity("t1", -1, 10, readProbe.getRef()));
        StatusReply<List<StoredEvent>> bad = readProbe.receiveMessage(java.time.Duration.ofSeconds(30));
        assertTrue(bad.isError());
        assertInstanceOf(InvalidQueryException.class, bad.getError());

        TestProbe<StatusReply<StoreStats>> statsProbe = kit.testKit().createTestProbe();
        store.ref().tell(new StoreCommand.GetStats(statsProbe.getRef()));
        StoreStats stats = statsProbe.receiveMessage(java.time.Duration.ofSeconds(30)).getValue();
        assertEquals(2, stats.events());
        assertEquals(2, stats.appends());
    }
}
