package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.OTHER_KIND;
import static io.batpak.actors.TestSupport.assertChain;
import static io.batpak.actors.TestSupport.assertFails;
import static io.batpak.actors.TestSupport.assertGlobalGapFree;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.EventType;
import io.batpak.core.ExpectedSequence;
import io.batpak.core.Gate;
import io.batpak.core.GateDenial;
import io.batpak.core.GateProposal;
import io.batpak.core.GateVerdict;
import io.batpak.core.Hash;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.GateDeniedException;
import io.batpak.core.error.ReservedKindException;
import io.batpak.core.error.SequenceMismatchException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.junit.jupiter.api.Test;

/** Gates: caller-defined policy evaluated in the entity partitions before an append or batch is committed. */
class GateTest extends EmbeddedStoreTest {
    @EventType(category = 0x4, type = 0x001, version = 2)
    public record Withdrawn(String account, long cents) {
    }

    /** A gate that counts its calls, keeps the proposals it saw and decides with a function. */
    static final class TestGate implements Gate {
        final String name;
        final Function<GateProposal, GateVerdict> decide;
        final AtomicInteger calls = new AtomicInteger();
        final List<GateProposal> seen = Collections.synchronizedList(new ArrayList<>());

        TestGate(String name, Function<GateProposal, GateVerdict> decide) {
            this.name = name;
            this.decide = decide;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public GateVerdict evaluate(GateProposal proposal) {
            calls.incrementAndGet();
            seen.add(proposal);
            return decide.apply(proposal);
        }
    }

    static TestGate permitAll(String name) {
        return new TestGate(name, p -> GateVerdict.permit());
    }

    /** Denies payloads (byte[]) that start with the byte 'X'. */
    static TestGate denyX(String name) {
        return new TestGate(name, p -> p.payloadLength() > 0 && p.payload()[0] == 'X'
                ? GateVerdict.deny("NO_X", "payloads starting with X are not allowed") : GateVerdict.permit());
    }

    private static Coordinate c(String entity) {
        return Coordinate.of(entity, "gated");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] blake3(byte[] data) {
        Blake3Digest d = new Blake3Digest(256);
        d.update(data, 0, data.length);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    @Test
    void permittingGatesSeeTheProposalAndTheEntityHead() {
        TestGate gate = permitAll("observer");
        BatpakStore store = open(StoreConfig.builder(dir).gate(gate).build());
        AppendReceipt first = await(store.append(c("acct"), KIND, bytes("a")));
        AppendReceipt second = await(store.appendTyped(c("acct"), new Withdrawn("acct", 30),
                AppendOptions.builder().flags(7).build()));
        assertEquals(1, second.entitySequence());
        assertEquals(2, gate.calls.get());

        GateProposal p0 = gate.seen.get(0);
        assertEquals(c("acct"), p0.coordinate());
        assertEquals(KIND, p0.kind());
        assertArrayEquals(bytes("a"), p0.payload());
        assertEquals(0, p0.payloadVersion());
        assertEquals(-1, p0.entityLastSequence(), "no event yet");
        assertEquals(Hash.ZERO, p0.entityLastHash());
        assertEquals(0, p0.entitySequence());
        assertEquals(-1, p0.batchItem());

        GateProposal p1 = gate.seen.get(1);
        assertEquals(EventKind.of(0x4, 0x001), p1.kind());
        assertEquals(2, p1.payloadVersion(), "a typed append states its version");
        assertEquals(new Withdrawn("acct", 30), p1.payloadAs(Withdrawn.class));
        assertEquals(7, p1.options().flags());
        assertEquals(0, p1.entityLastSequence());
        assertEquals(first.eventHash(), p1.entityLastHash(), "the head the append would chain to");
        assertChain(store, "acct", 2);
    }

    @Test
    void aDenialFailsTheAppendWithGateCodeAndMessageAndStoresNothing() {
        BatpakStore store = open(StoreConfig.builder(dir).gate(permitAll("first")).gate(denyX("no-x")).build());
        await(store.append(c("e"), KIND, bytes("ok")));
        GateDeniedException e = assertFails(GateDeniedException.class, store.append(c("e"), KIND, bytes("Xbad")));
        assertEquals("no-x", e.gate());
        assertEquals("NO_X", e.code());
        assertEquals("payloads starting with X are not allowed", e.denialMessage());
        assertEquals(c("e"), e.coordinate());
        assertEquals(KIND, e.kind());
        assertEquals(-1, e.batchItem());
        assertTrue(e.getMessage().contains("no-x") && e.getMessage().contains("NO_X"), e.getMessage());

        assertEquals(0, store.lastGlobalSequence(), "nothing of the denied append was stored");
        assertEquals(1, await(store.append(c("e"), KIND, bytes("ok again"))).entitySequence(),
                "the denied append used no sequence");
        assertChain(store, "e", 2);
    }

    @Test
    void theFirstDenialWinsAndLaterGatesAreNotEvaluated() {
        TestGate before = permitAll("before");
        TestGate denier = new TestGate("denier", p -> GateVerdict.deny("ALWAYS", "no"));
        TestGate after = permitAll("after");
        BatpakStore store = open(StoreConfig.builder(dir).gates(List.of(before, denier, after)).build());
        GateDeniedException e = assertFails(GateDeniedException.class, store.append(c("e"), KIND, bytes("a")));
        assertEquals("denier", e.gate());
        assertEquals(1, before.calls.get());
        assertEquals(1, denier.calls.get());
        assertEquals(0, after.calls.get(), "gates after the first denial are not evaluated");

        // The expected-sequence check runs before the gates: a mismatch is reported as such and gates no one.
        assertFails(SequenceMismatchException.class, store.append(c("e"), KIND, bytes("a"),
                AppendOptions.builder().expect(ExpectedSequence.exact(5)).build()));
        assertEquals(1, before.calls.get());
        assertEquals(-1, store.lastGlobalSequence());
    }

    @Test
    void aGateThatThrowsIsAGateDefectAndTheStoreKeepsWorking() {
        TestGate thrower = new TestGate("fragile", p -> {
            if (p.payload()[0] == 'B') {
                throw new IllegalStateException("boom in the gate");
            }
            return p.payload()[0] == 'N' ? null : GateVerdict.permit();
        });
        BatpakStore store = open(StoreConfig.builder(dir).partitions(1).gate(thrower).build());
        GateDeniedException e = assertFails(GateDeniedException.class, store.append(c("e"), KIND, bytes("B")));
        assertEquals("fragile", e.gate());
        assertEquals(Gate.DEFECT_CODE, e.code());
        assertTrue(e.denialMessage().contains("IllegalStateException") && e.denialMessage().contains("boom in the gate"),
                e.denialMessage());
        GateDeniedException none = assertFails(GateDeniedException.class, store.append(c("e"), KIND, bytes("N")));
        assertEquals(Gate.DEFECT_CODE, none.code());
        assertTrue(none.denialMessage().contains("no verdict"), none.denialMessage());
        assertFails(GateDeniedException.class, store.appendBatch(List.of(AppendRequest.of(c("f"), KIND, bytes("ok")),
                AppendRequest.of(c("e"), KIND, bytes("B")))));

        // The partition (the only one) and the writer are unaffected.
        for (int i = 0; i < 3; i++) {
            assertEquals(i, await(store.append(c("e"), KIND, bytes("ok" + i))).entitySequence());
        }
        List<AppendReceipt> batch = await(store.appendBatch(List.of(AppendRequest.of(c("f"), KIND, bytes("ok")),
                AppendRequest.of(c("e"), KIND, bytes("ok")))));
        assertEquals(0, batch.get(0).entitySequence());
        assertEquals(3, batch.get(1).entitySequence());
        assertChain(store, "e", 4);
        assertChain(store, "f", 1);
        assertGlobalGapFree(store, Set.of("e", "f"));
    }

    @Test
    void aDeniedBatchItemFailsTheWholeBatchStoresNothingAndReleasesTheHeads() {
        TestGate gate = denyX("no-x");
        BatpakStore store = open(StoreConfig.builder(dir).partitions(4).gate(gate).build());
        List<String> entities = List.of("b0", "b1", "b2", "b3", "b4", "b5");
        for (String entity : entities) {
            await(store.append(c(entity), KIND, bytes("seed")));
        }
        long before = store.lastGlobalSequence();
        List<AppendRequest> batch = new ArrayList<>();
        for (String entity : entities) {
            batch.add(AppendRequest.of(c(entity), KIND, bytes("one"),
                    AppendOptions.builder().expect(ExpectedSequence.exact(0)).build()));
            batch.add(AppendRequest.of(c(entity), OTHER_KIND, bytes("two")));
        }
        batch.set(9, AppendRequest.of(c("b4"), OTHER_KIND, bytes("X-two")));
        GateDeniedException e = assertFails(GateDeniedException.class, store.appendBatch(batch));
        assertEquals(9, e.batchItem());
        assertEquals(c("b4"), e.coordinate());
        assertEquals(OTHER_KIND, e.kind());
        assertEquals(before, store.lastGlobalSequence(), "nothing of the batch was stored");

        // Batch items were gated against the head including the batch's earlier items on the same entity.
        GateProposal secondOfB0 = gate.seen.stream().filter(p -> p.batchItem() == 1).findFirst().orElseThrow();
        assertEquals(1, secondOfB0.entityLastSequence());

        // Every head was released and restored: the next appends continue at sequence 1.
        for (String entity : entities) {
            assertEquals(1, await(store.append(c(entity), KIND, bytes("after"),
                    AppendOptions.builder().expect(ExpectedSequence.exact(0)).build())).entitySequence(), entity);
        }
        batch.set(9, AppendRequest.of(c("b4"), OTHER_KIND, bytes("two")));
        for (int i = 0; i < batch.size(); i += 2) {
            batch.set(i, AppendRequest.of(batch.get(i).coordinate(), KIND, bytes("one")));
        }
        List<AppendReceipt> ok = await(store.appendBatch(batch));
        assertEquals(3, ok.get(11).entitySequence());
        for (String entity : entities) {
            assertChain(store, entity, 4);
        }
        assertGlobalGapFree(store, entities);
    }

    @Test
    void aRecordedDenialIsASystemEventOnTheEntityChain() {
        StoreConfig config = StoreConfig.builder(dir).partitions(2).recordDenials(true).gate(denyX("no-x")).build();
        BatpakStore store = open(config);
        await(store.append(c("r"), KIND, bytes("fine")));
        byte[] denied = bytes("X marks the spot");
        GateDeniedException e = assertFails(GateDeniedException.class, store.append(c("r"), OTHER_KIND, denied));
        assertEquals("NO_X", e.code());

        // The denial was written before the append failed: it is already visible.
        List<StoredEvent> events = assertChain(store, "r", 2);
        StoredEvent record = events.get(1);
        assertEquals(EventKind.SYSTEM_DENIAL, record.kind());
        assertEquals(0x000F, record.kind().raw());
        assertEquals(c("r"), record.coordinate());
        GateDenial d = record.payloadAs(GateDenial.class);
        assertEquals("no-x", d.gate());
        assertEquals("NO_X", d.code());
        assertEquals("payloads starting with X are not allowed", d.message());
        assertEquals(OTHER_KIND.raw(), d.proposedKind());
        assertEquals(0, d.proposedPayloadVersion());
        assertEquals(denied.length, d.proposedPayloadLength());
        assertArrayEquals(blake3(denied), d.proposedPayloadHash());
        assertEquals(-1, d.batchItem());

        assertEquals(2, await(store.append(c("r"), KIND, bytes("next"))).entitySequence(),
                "the entity's sequence advanced past the denial");

        // A denied batch item is recorded on its own entity; the batch stores nothing else.
        await(store.append(c("s"), KIND, bytes("s0")));
        GateDeniedException be = assertFails(GateDeniedException.class, store.appendBatch(List.of(
                AppendRequest.of(c("t"), KIND, bytes("t0")),
                AppendRequest.of(c("s"), KIND, bytes("s1")),
                AppendRequest.of(c("s"), KIND, bytes("Xs2")))));
        assertEquals(2, be.batchItem());
        assertEquals(List.of(), store.readEntity("t", 0, 10));
        List<StoredEvent> s = assertChain(store, "s", 2);
        assertEquals(EventKind.SYSTEM_DENIAL, s.get(1).kind());
        assertEquals(2, s.get(1).payloadAs(GateDenial.class).batchItem());
        assertGlobalGapFree(store, List.of("r", "s", "t"));

        // Only the store writes the reserved kind.
        assertFails(ReservedKindException.class, store.append(c("r"), EventKind.SYSTEM_DENIAL, bytes("forged")));

        // The recorded chain survives a reopen (recovery checks every prevHash and sequence).
        TestSupport.closeStore(store);
        forget(store);
        BatpakStore reopened = open(config);
        assertEquals(EventKind.SYSTEM_DENIAL, assertChain(reopened, "r", 3).get(1).kind());
        assertEquals(3, await(reopened.append(c("r"), KIND, bytes("after reopen"))).entitySequence());
    }

    @Test
    void denialsAreNotRecordedByDefault() {
        StoreConfig config = StoreConfig.builder(dir).gate(denyX("no-x")).build();
        assertFalse(config.recordDenials());
        BatpakStore store = open(config);
        assertFails(GateDeniedException.class, store.append(c("n"), KIND, bytes("X")));
        assertEquals(List.of(), store.readEntity("n", 0, 10));
        assertEquals(-1, store.lastGlobalSequence());
        assertEquals(0, await(store.append(c("n"), KIND, bytes("ok"))).entitySequence());
    }

    @Test
    void aRetryOfACommittedKeyIsNotGatedAgain() {
        AtomicBoolean deny = new AtomicBoolean();
        TestGate gate = new TestGate("switch", p -> deny.get() ? GateVerdict.deny("CLOSED", "closed") : GateVerdict.permit());
        BatpakStore store = open(StoreConfig.builder(dir).gate(gate).build());
        IdempotencyKey key = IdempotencyKey.of(UUID.randomUUID());
        AppendOptions keyed = AppendOptions.builder().idempotencyKey(key).build();
        AppendReceipt original = await(store.append(c("k"), KIND, bytes("once"), keyed));
        assertEquals(1, gate.calls.get());

        deny.set(true);
        assertEquals(original, await(store.append(c("k"), KIND, bytes("once"), keyed)),
                "the retry gets the original receipt");
        assertEquals(1, gate.calls.get(), "the retry was not gated");

        // A denied keyed append does not use up its key: once permitted, the same key appends.
        AppendOptions other = AppendOptions.builder().idempotencyKey(IdempotencyKey.of(UUID.randomUUID())).build();
        assertFails(GateDeniedException.class, store.append(c("k"), KIND, bytes("twice"), other));
        assertEquals(2, gate.calls.get());
        deny.set(false);
        AppendReceipt second = await(store.append(c("k"), KIND, bytes("twice"), other));
        assertEquals(1, second.entitySequence());
        assertEquals(3, gate.calls.get());
        deny.set(true);
        assertEquals(List.of(original, second), await(store.appendBatch(List.of(
                AppendRequest.of(c("k"), KIND, bytes("once"), keyed),
                AppendRequest.of(c("k"), KIND, bytes("twice"), other)))), "a replayed batch is not gated either");
        assertEquals(3, gate.calls.get());
        assertChain(store, "k", 2);
    }
}
