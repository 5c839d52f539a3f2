package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.assertChain;
import static io.batpak.actors.TestSupport.assertFails;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.EventType;
import io.batpak.core.ExpectedSequence;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.Upcaster;
import io.batpak.core.error.EventTypeConflictException;
import io.batpak.core.error.EventTypeMismatchException;
import io.batpak.core.error.FutureVersionException;
import io.batpak.core.error.InvalidAppendException;
import io.batpak.core.error.InvalidEventTypeException;
import io.batpak.core.error.InvalidQueryException;
import io.batpak.core.error.MissingUpcasterException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Typed events: {@code @EventType} records, stored payload versions, registration errors and upcasting on read. */
class TypedEventTest {
    private static final EventKind CUSTOMER = EventKind.of(0x2, 0x020);
    private static final EventKind DEPOSIT = EventKind.of(0x2, 0x021);

    @EventType(category = 0x2, type = 0x020, version = 1)
    public record CustomerV1(String name) {
    }

    @EventType(category = 0x2, type = 0x020, version = 2)
    public record CustomerV2(String first, String last) {
    }

    @EventType(category = 0x2, type = 0x020, version = 3)
    public record CustomerV3(String first, String last, String tier) {
    }

    @EventType(category = 0x2, type = 0x021, version = 4)
    public record Deposited(String account, long cents) {
    }

    /** Claims the kind of {@link Deposited}. */
    @EventType(category = 0x2, type = 0x021)
    public record AlsoDeposited(String account) {
    }

    @EventType(category = 0xD, type = 0x001)
    public record InEffectCategory(String x) {
    }

    public record NotAnEventType(String x) {
    }

    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @TempDir
    Path dir;


    private BatpakStore open(StoreConfig config) {
        return kit.open(config);
    }

    private void close(BatpakStore store) {
        kit.close(store);
    }

    private static Coordinate c(String entity) {
        return Coordinate.of(entity, "typed");
    }

    /** 1 -> 2: split the name; records the call. */
    private static Upcaster splitName(List<String> calls) {
        return node -> {
            calls.add("1->2 " + node.get("name").asText());
            String[] parts = node.remove("name").asText().split(" ", 2);
            node.put("first", parts[0]);
            node.put("last", parts.length > 1 ? parts[1] : "");
            return node;
        };
    }

    /** 2 -> 3: add a tier; records the call. */
    private static Upcaster addTier(List<String> calls) {
        return node -> {
            calls.add("2->3 " + node.get("first").asText());
            ObjectNode next = node.deepCopy();
            next.put("tier", "standard");
            return next;
        };
    }

    @Test
    void typedAppendStoresKindAndVersionAndReadsBack() {
        BatpakStore store = open(StoreConfig.builder(dir).build());
        AppendReceipt r0 = await(store.appendTyped(c("acct:1"), new Deposited("acct:1", 500)));
        await(store.append(c("acct:1"), KIND, new byte[] {9}));
        AppendReceipt r2 = await(store.appendTyped(c("acct:1"), new Deposited("acct:1", 250),
                AppendOptions.builder().expect(ExpectedSequence.exact(1)).build()));
        assertEquals(0, r0.entitySequence());
        assertEquals(2, r2.entitySequence());

        List<StoredEvent> events = assertChain(store, "acct:1", 3);
        assertEquals(DEPOSIT, events.get(0).kind());
        assertEquals(4, events.get(0).payloadVersion(), "the class's version is stored in the frame");
        assertEquals(0, events.get(1).payloadVersion(), "a plain append stores version 0");
        assertEquals(4, events.get(2).payloadVersion());
        assertEquals(new Deposited("acct:1", 500), events.get(0).payloadAs(Deposited.class));

        assertEquals(List.of(new Deposited("acct:1", 500), new Deposited("acct:1", 250)),
                store.readTyped("acct:1", 0, 10, Deposited.class), "events of other kinds are skipped");
        assertEquals(List.of(new Deposited("acct:1", 250)), store.readTyped("acct:1", 1, 10, Deposited.class));
        assertEquals(List.of(new Deposited("acct:1", 500)), store.readTyped("acct:1", 0, 1, Deposited.class),
                "max counts typed events");
        assertEquals(List.of(), store.readTyped("nobody", 0, 10, Deposited.class));
        assertTrue(store.config().eventTypes().forClass(Deposited.class).isPresent(), "registered on first use");

        // A plain append of an annotated record is untyped: version 0, decoded as the current shape.
        await(store.append(c("acct:2"), DEPOSIT, new Deposited("acct:2", 1)));
        assertEquals(0, store.readEntity("acct:2", 0, 1).get(0).payloadVersion());
        assertEquals(List.of(new Deposited("acct:2", 1)), store.readTyped("acct:2", 0, 10, Deposited.class));

        // A typed read of an event of another kind is refused, never misread.
        StoredEvent plain = events.get(1);
        assertThrows(EventTypeMismatchException.class, () -> plain.payloadAs(Deposited.class));
        assertThrows(InvalidQueryException.class, () -> store.readTyped("acct:1", -1, 10, Deposited.class));
    }

    @Test
    void typedItemsInABatchCarryTheirVersions() {
        BatpakStore store = open(StoreConfig.builder(dir).partitions(3).build());
        List<AppendReceipt> receipts = await(store.appendBatch(List.of(
                AppendRequest.typed(c("a"), new Deposited("a", 1)),
                AppendRequest.typed(c("b"), new CustomerV2("Ada", "Lovelace"),
                        AppendOptions.builder().expect(ExpectedSequence.NO_STREAM).build()),
                AppendRequest.of(c("a"), KIND, new byte[] {1}),
                AppendRequest.typed(c("a"), new Deposited("a", 2)))));
        assertEquals(List.of(0L, 0L, 1L, 2L), receipts.stream().map(AppendReceipt::entitySequence).toList());
        List<StoredEvent> a = assertChain(store, "a", 3);
        assertEquals(List.of(4, 0, 4), a.stream().map(StoredEvent::payloadVersion).toList());
        StoredEvent b = assertChain(store, "b", 1).get(0);
        assertEquals(CUSTOMER, b.kind());
        assertEquals(2, b.payloadVersion());
        assertEquals(List.of(new Deposited("a", 1), new Deposited("a", 2)), store.readTyped("a", 0, 10, Deposited.class));

        // A typed request whose kind was changed to another one is refused whole.
        AppendRequest forged = new AppendRequest(c("a"), KIND, new Deposited("a", 3), AppendOptions.DEFAULT, true);
        assertFails(InvalidAppendException.class, store.appendBatch(List.of(AppendRequest.of(c("z"), KIND, new byte[0]),
                forged)));
        assertEquals(List.of(), store.readEntity("z", 0, 10));
    }

    @Test
    void twoClassesClaimingOneKindAreRefusedNamingBoth() {
        EventTypeConflictException atBuild = assertThrows(EventTypeConflictException.class,
                () -> StoreConfig.builder(dir).eventType(Deposited.class).eventType(AlsoDeposited.class));
        assertEquals(DEPOSIT, atBuild.kind());
        assertTrue(atBuild.getMessage().contains(Deposited.class.getName())
                && atBuild.getMessage().contains(AlsoDeposited.class.getName())
                && atBuild.getMessage().contains(DEPOSIT.toString()), atBuild.getMessage());

        BatpakStore store = open(StoreConfig.builder(dir).eventType(Deposited.class).build());
        EventTypeConflictException onUse = assertFails(EventTypeConflictException.class,
                store.appendTyped(c("x"), new AlsoDeposited("x")));
        assertEquals(Deposited.class, onUse.registered());
        assertEquals(AlsoDeposited.class, onUse.rejected());
        assertFails(EventTypeConflictException.class,
                store.appendBatch(List.of(AppendRequest.typed(c("x"), new AlsoDeposited("x")))));
        assertThrows(EventTypeConflictException.class, () -> store.readTyped("x", 0, 1, AlsoDeposited.class));
        assertEquals(-1, store.lastGlobalSequence(), "nothing stored");
    }

    @Test
    void aClassWithoutAValidAnnotationIsATypedError() {
        BatpakStore store = open(StoreConfig.builder(dir).build());
        InvalidEventTypeException e = assertFails(InvalidEventTypeException.class,
                store.appendTyped(c("x"), new NotAnEventType("x")));
        assertTrue(e.getMessage().contains(NotAnEventType.class.getName()), e.getMessage());
        assertFails(InvalidEventTypeException.class, store.appendTyped(c("x"), new byte[] {1}));
        assertFails(InvalidEventTypeException.class, store.appendTyped(c("x"), new InEffectCategory("x")));
        assertFails(InvalidAppendException.class, store.appendTyped(c("x"), null));
        assertThrows(InvalidEventTypeException.class, () -> store.readTyped("x", 0, 1, NotAnEventType.class));
        assertThrows(InvalidEventTypeException.class, () -> StoreConfig.builder(dir).eventType(NotAnEventType.class));
        assertEquals(-1, store.lastGlobalSequence(), "nothing stored");
    }

    /** Writes "cust:1" with a v1 event, then (after an upgrade) a v2 event, then (after another) a v3 event. */
    private void writeThreeGenerations() {
        BatpakStore v1 = open(StoreConfig.builder(dir).eventType(CustomerV1.class).build());
        await(v1.appendTyped(c("cust:1"), new CustomerV1("Ada Lovelace")));
        close(v1);
        BatpakStore v2 = open(StoreConfig.builder(dir).eventType(CustomerV2.class).build());
        await(v2.appendTyped(c("cust:1"), new CustomerV2("Grace", "Hopper")));
        close(v2);
        BatpakStore v3 = open(StoreConfig.builder(dir).eventType(CustomerV3.class).build());
        await(v3.appendTyped(c("cust:1"), new CustomerV3("Alan", "Turing", "gold")));
        close(v3);
    }

    @Test
    void upcastChainBringsOldEventsToTheCurrentRecord() {
        writeThreeGenerations();
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        BatpakStore store = open(StoreConfig.builder(dir)
                .upcaster(CustomerV3.class, 2, addTier(calls))
                .upcaster(CustomerV3.class, 1, splitName(calls))
                .build());
        List<StoredEvent> events = assertChain(store, "cust:1", 3);
        assertEquals(List.of(1, 2, 3), events.stream().map(StoredEvent::payloadVersion).toList());

        assertEquals(List.of(new CustomerV3("Ada", "Lovelace", "standard"), new CustomerV3("Grace", "Hopper", "standard"),
                new CustomerV3("Alan", "Turing", "gold")), store.readTyped("cust:1", 0, 10, CustomerV3.class));
        assertEquals(List.of("1->2 Ada Lovelace", "2->3 Ada", "2->3 Grace"), calls,
                "v1 runs 1->2 then 2->3, v2 runs 2->3, v3 runs none");

        calls.clear();
        assertEquals(new CustomerV3("Ada", "Lovelace", "standard"), events.get(0).payloadAs(CustomerV3.class));
        assertEquals(List.of("1->2 Ada Lovelace", "2->3 Ada"), calls);
        // The stored bytes are never rewritten: the v1 payload still decodes as the v1 record.
        assertEquals(new CustomerV1("Ada Lovelace"),
                store.config().codec().decode(events.get(0).payload(), CustomerV1.class));
    }

    @Test
    void aNewerStoredVersionIsRefusedNeverMisread() {
        writeThreeGenerations();
        BatpakStore store = open(StoreConfig.builder(dir).eventType(CustomerV2.class)
                .upcaster(CustomerV2.class, 1, splitName(new ArrayList<>())).build());
        FutureVersionException e = assertThrows(FutureVersionException.class,
                () -> store.readTyped("cust:1", 0, 10, CustomerV2.class));
        assertEquals(CUSTOMER, e.kind());
        assertEquals(3, e.storedVersion());
        assertEquals(2, e.knownVersion());
        StoredEvent newest = store.readEntity("cust:1", 2, 1).get(0);
        assertThrows(FutureVersionException.class, () -> newest.payloadAs(CustomerV2.class));
        assertEquals(List.of(new CustomerV2("Ada", "Lovelace"), new CustomerV2("Grace", "Hopper")),
                store.readTyped("cust:1", 0, 2, CustomerV2.class), "the older events still read");
    }

    @Test
    void aMissingUpcasterStepIsATypedErrorNamingKindAndVersions() {
        writeThreeGenerations();
        BatpakStore store = open(StoreConfig.builder(dir)
                .upcaster(CustomerV3.class, 2, addTier(new ArrayList<>())).build());
        MissingUpcasterException e = assertThrows(MissingUpcasterException.class,
                () -> store.readTyped("cust:1", 0, 10, CustomerV3.class));
        assertEquals(CUSTOMER, e.kind());
        assertEquals(1, e.fromVersion());
        assertEquals(2, e.toVersion());
        assertTrue(e.getMessage().contains(CUSTOMER.toString()) && e.getMessage().contains("from version 1 to 2"),
                e.getMessage());
        assertEquals(List.of(new CustomerV3("Grace", "Hopper", "standard"), new CustomerV3("Alan", "Turing", "gold")),
                store.readTyped("cust:1", 1, 10, CustomerV3.class), "versions with a complete chain still read");
    }

    @Test
    void payloadVersionsSurviveReopenFromTheCheckpointAndFromAFullScan() throws Exception {
        StoreConfig config = StoreConfig.builder(dir).build();
        BatpakStore store = open(config);
        await(store.appendTyped(c("r"), new Deposited("r", 1)));
        await(store.appendBatch(List.of(AppendRequest.typed(c("r"), new CustomerV2("a", "b")),
                AppendRequest.of(c("r"), KIND, new byte[] {1}))));
        close(store);
        for (boolean scan : new boolean[] {false, true}) {
            if (scan) {
                Files.delete(dir.resolve("index.ckpt"));
            }
            BatpakStore reopened = open(StoreConfig.builder(dir).build());
            assertEquals(!scan, reopened.stats().openedFromCheckpoint());
            List<StoredEvent> events = assertChain(reopened, "r", 3);
            assertEquals(List.of(4, 2, 0), events.stream().map(StoredEvent::payloadVersion).toList());
            assertEquals(List.of(new Deposited("r", 1)), reopened.readTyped("r", 0, 10, Deposited.class));
            assertEquals(List.of(new CustomerV2("a", "b")), reopened.readTyped("r", 0, 10, CustomerV2.class));
            close(reopened);
        }
    }

    @Test
    void actorProtocolAppendsTypedEvents() {
        BatpakStore store = open(StoreConfig.builder(dir).build());
        TestProbe<StatusReply<AppendReceipt>> probe = kit.testKit().createTestProbe();
        store.ref().tell(StoreCommand.Append.of(c("p"), store.encode(new Deposited("p", 7)),
                AppendOptions.DEFAULT, probe.getRef()));
        StatusReply<AppendReceipt> ok = probe.receiveMessage(Duration.ofSeconds(TestSupport.WAIT_SECONDS));
        assertTrue(ok.isSuccess());
        assertEquals(4, store.get(ok.getValue().eventId()).orElseThrow().payloadVersion());
        assertThrows(InvalidEventTypeException.class, () -> store.encode(new NotAnEventType("p")));
        store.ref().tell(StoreCommand.Append.of(c("p"), null, AppendOptions.DEFAULT, probe.getRef()));
        StatusReply<AppendReceipt> refused = probe.receiveMessage(Duration.ofSeconds(TestSupport.WAIT_SECONDS));
        assertTrue(refused.isError());
        assertInstanceOf(InvalidAppendException.class, refused.getError());
    }
}
