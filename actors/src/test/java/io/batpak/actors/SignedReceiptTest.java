package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.Hash;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.KeyId;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.ReceiptSignature;
import io.batpak.core.ReceiptSigner;
import io.batpak.core.ReceiptVerification.Outcome;
import io.batpak.core.ReceiptVerification;
import io.batpak.core.SigningKey;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Ed25519-signed receipts from the actor store: signing, key rotation, rejection, and idempotent retries. */
class SignedReceiptTest {
    private static final SigningKey KEY_A = key(0x11);
    private static final SigningKey KEY_B = key(0x22);
    private static ActorSystem<Void> system;

    @TempDir
    Path dir;

    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @BeforeAll
    static void useTheKitsSystem() {
        system = kit.system();
    }

    private static SigningKey key(int fill) {
        byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) fill);
        return SigningKey.fromSeed(seed);
    }

    private StoreConfig.Builder config() {
        return StoreConfig.builder(dir);
    }

    private static Coordinate c(String entity) {
        return Coordinate.of(entity, "signed");
    }

    private static AppendOptions keyed(IdempotencyKey key) {
        return AppendOptions.builder().idempotencyKey(key).build();
    }

    private static void assertSignedBy(SigningKey key, AppendReceipt r) {
        assertTrue(r.signed(), () -> "unsigned: " + r);
        assertEquals(key.keyId(), r.keyId().orElseThrow());
        ReceiptSigner offline = ReceiptSigner.of(List.of(), List.of(key.publicKey()));
        assertEquals(Outcome.SIGNED, offline.checkSignature(r).outcome(), "verifies with the public key alone");
    }

    @Test
    void everyReceiptIsSignedWithTheConfiguredKeyAndVerifies() {
        BatpakStore store = BatpakStore.open(config().signingKeys(List.of(KEY_A)).build(), system);
        try {
            AppendReceipt single = await(store.append(c("s1"), KIND, new byte[] {1, 2, 3}));
            assertSignedBy(KEY_A, single);
            List<AppendReceipt> batch = await(store.appendBatch(List.of(AppendRequest.of(c("s1"), KIND, new byte[] {4}),
                    AppendRequest.of(c("s2"), KIND, new byte[] {5}))));
            for (AppendReceipt r : batch) {
                assertSignedBy(KEY_A, r);
            }
            List<AppendReceipt> all = new ArrayList<>(batch);
            all.add(single);
            for (AppendReceipt r : all) {
                ReceiptVerification v = store.verifyReceipt(r);
                assertEquals(Outcome.SIGNED, v.outcome(), v::detail);
                assertTrue(v.valid());
                StoredEvent e = store.get(r.eventId()).orElseThrow();
                assertEquals(r, store.receiptOf(e), "the stored event's receipt equals the one the append returned");
                assertEquals(r.unsigned(), e.toReceipt());
            }
        } finally {
            TestSupport.closeStore(store);
        }
        try (ReadOnlyStore ro = ReadOnlyStore.open(config().signingKeys(List.of(KEY_A)).build())) {
            for (StoredEvent e : ro.readEntity("s1", 0, 10)) {
                assertEquals(Outcome.UNSIGNED_REJECTED, ro.verifyReceipt(e.toReceipt()).outcome());
            }
        }
    }

    @Test
    void forgedAlteredUnsignedAndUnknownKeyReceiptsAreRejected() {
        BatpakStore store = BatpakStore.open(config().signingKeys(List.of(KEY_A)).build(), system);
        try {
            AppendReceipt good = await(store.append(c("f1"), KIND, new byte[] {1}));
            AppendReceipt second = await(store.append(c("f1"), KIND, new byte[] {2}));
            ReceiptSignature sig = good.signature();
            Map<String, ReceiptVerification> results = new LinkedHashMap<>();
            results.put("event id", store.verifyReceipt(new AppendReceipt(second.eventId(), good.coordinate(),
                    good.entitySequence(), good.globalSequence(), good.timestampMicros(), good.eventHash(), sig)));
            results.put("coordinate", store.verifyReceipt(new AppendReceipt(good.eventId(), c("f2"),
                    good.entitySequence(), good.globalSequence(), good.timestampMicros(), good.eventHash(), sig)));
            results.put("entity sequence", store.verifyReceipt(new AppendReceipt(good.eventId(), good.coordinate(),
                    1, good.globalSequence(), good.timestampMicros(), good.eventHash(), sig)));
            results.put("global sequence", store.verifyReceipt(new AppendReceipt(good.eventId(), good.coordinate(),
                    good.entitySequence(), 1, good.timestampMicros(), good.eventHash(), sig)));
            results.put("timestamp", store.verifyReceipt(new AppendReceipt(good.eventId(), good.coordinate(),
                    good.entitySequence(), good.globalSequence(), good.timestampMicros() + 1, good.eventHash(), sig)));
            results.put("event hash", store.verifyReceipt(new AppendReceipt(good.eventId(), good.coordinate(),
                    good.entitySequence(), good.globalSequence(), good.timestampMicros(), Hash.ZERO, sig)));
            byte[] flipped = sig.signature();
            flipped[10] ^= 0x01;
            results.put("signature bytes", store.verifyReceipt(good.withSignature(ReceiptSignature.of(sig.keyId(), flipped))));
            SigningKey forger = key(0x66);
            results.put("forged with another key under the store's key id", store.verifyReceipt(good.withSignature(
                    ReceiptSignature.of(KEY_A.keyId(), forger.sign(ReceiptSigner.signedBytes(good, KEY_A.keyId()))))));
            results.put("unknown key", store.verifyReceipt(ReceiptSigner.of(List.of(forger), List.of()).sign(good)));
            results.put("unsigned", store.verifyReceipt(good.unsigned()));
            results.put("unknown event", store.verifyReceipt(new AppendReceipt(EventId.generate(), good.coordinate(),
                    good.entitySequence(), good.globalSequence(), good.timestampMicros(), good.eventHash(), sig)));

            Map<String, Outcome> expected = new LinkedHashMap<>();
            expected.put("event id", Outcome.ENTITY_SEQUENCE_MISMATCH);
            expected.put("coordinate", Outcome.COORDINATE_MISMATCH);
            expected.put("entity sequence", Outcome.ENTITY_SEQUENCE_MISMATCH);
            expected.put("global sequence", Outcome.GLOBAL_SEQUENCE_MISMATCH);
            expected.put("timestamp", Outcome.TIMESTAMP_MISMATCH);
            expected.put("event hash", Outcome.EVENT_HASH_MISMATCH);
            expected.put("signature bytes", Outcome.INVALID_SIGNATURE);
            expected.put("forged with another key under the store's key id", Outcome.INVALID_SIGNATURE);
            expected.put("unknown key", Outcome.UNKNOWN_KEY);
            expected.put("unsigned", Outcome.UNSIGNED_REJECTED);
            expected.put("unknown event", Outcome.EVENT_NOT_FOUND);
            for (Map.Entry<String, Outcome> e : expected.entrySet()) {
                ReceiptVerification v = results.get(e.getKey());
                assertEquals(e.getValue(), v.outcome(), e.getKey() + ": " + v.detail());
                assertFalse(v.valid(), e.getKey());
            }
            assertEquals(Outcome.SIGNED, store.verifyReceipt(good).outcome());
        } finally {
            TestSupport.closeStore(store);
        }
    }

    @Test
    void oldReceiptsStillVerifyAfterANewerKeyIsAdded() {
        AppendReceipt byA;
        BatpakStore store = BatpakStore.open(config().signingKeys(List.of(KEY_A)).build(), system);
        try {
            byA = await(store.append(c("r1"), KIND, new byte[] {1}));
            assertSignedBy(KEY_A, byA);
        } finally {
            TestSupport.closeStore(store);
        }
        AppendReceipt byB;
        store = BatpakStore.open(config().signingKeys(List.of(KEY_A, KEY_B)).build(), system);
        try {
            byB = await(store.append(c("r1"), KIND, new byte[] {2}));
            assertSignedBy(KEY_B, byB);
            assertNotEquals(KEY_A.keyId(), KEY_B.keyId());
            assertEquals(Outcome.SIGNED, store.verifyReceipt(byA).outcome(), "the older key still verifies");
            assertEquals(Outcome.SIGNED, store.verifyReceipt(byB).outcome());
            StoredEvent first = store.get(byA.eventId()).orElseThrow();
            assertSignedBy(KEY_B, store.receiptOf(first));
        } finally {
            TestSupport.closeStore(store);
        }
        // Retiring the old private key: its public key alone keeps its receipts valid.
        store = BatpakStore.open(config().signingKeys(List.of(KEY_B)).verifyingKeys(List.of(KEY_A.publicKey())).build(),
                system);
        try {
            assertEquals(Outcome.SIGNED, store.verifyReceipt(byA).outcome());
            assertEquals(Outcome.SIGNED, store.verifyReceipt(byB).outcome());
        } finally {
            TestSupport.closeStore(store);
        }
        try (ReadOnlyStore ro = ReadOnlyStore.open(config().signingKeys(List.of(KEY_B)).build())) {
            assertEquals(Outcome.UNKNOWN_KEY, ro.verifyReceipt(byA).outcome(), "without key A its receipts are unknown");
            assertEquals(Outcome.SIGNED, ro.verifyReceipt(byB).outcome());
        }
    }

    @Test
    void idempotentRetriesReturnAnEqualSignedReceiptBeforeAndAfterReopen() {
        IdempotencyKey key = IdempotencyKey.of(UUID.fromString("6f1d3c2a-0000-4000-8000-000000000001"));
        IdempotencyKey k1 = IdempotencyKey.of(UUID.fromString("6f1d3c2a-0000-4000-8000-000000000002"));
        IdempotencyKey k2 = IdempotencyKey.of(UUID.fromString("6f1d3c2a-0000-4000-8000-000000000003"));
        List<AppendRequest> batch = List.of(AppendRequest.of(c("i1"), KIND, new byte[] {1}, keyed(k1)),
                AppendRequest.of(c("i2"), KIND, new byte[] {2}, keyed(k2)));
        StoreConfig signed = config().signingKeys(List.of(KEY_A)).build();
        AppendReceipt original;
        List<AppendReceipt> originalBatch;
        BatpakStore store = BatpakStore.open(signed, system);
        try {
            // Two concurrent appends with one key: the second waits for the first and gets its receipt.
            CompletionStage<AppendReceipt> first = store.append(c("i0"), KIND, new byte[] {7}, keyed(key));
            CompletionStage<AppendReceipt> concurrent = store.append(c("i0"), KIND, new byte[] {7}, keyed(key));
            original = await(first);
            assertSignedBy(KEY_A, original);
            assertEquals(original, await(concurrent));
            assertEquals(original, await(store.append(c("i0"), KIND, new byte[] {7}, keyed(key))), "retry of a stored key");
            originalBatch = await(store.appendBatch(batch));
            assertEquals(originalBatch, await(store.appendBatch(batch)));
            originalBatch.forEach(r -> assertSignedBy(KEY_A, r));
        } finally {
            TestSupport.closeStore(store);
        }
        store = BatpakStore.open(signed, system);
        try {
            assertEquals(original, await(store.append(c("i0"), KIND, new byte[] {7}, keyed(key))), "after reopen");
            assertEquals(originalBatch, await(store.appendBatch(batch)));
            assertEquals(0, store.readEntity("i0", 0, 10).get(0).entitySequence());
            assertEquals(1, store.readEntity("i0", 0, 10).size(), "stored once");
        } finally {
            TestSupport.closeStore(store);
        }
        // After a rotation the retry is answered with the newest key's signature: same event, still verifiable.
        store = BatpakStore.open(config().signingKeys(List.of(KEY_A, KEY_B)).build(), system);
        try {
            AppendReceipt again = await(store.append(c("i0"), KIND, new byte[] {7}, keyed(key)));
            assertEquals(original.unsigned(), again.unsigned());
            assertSignedBy(KEY_B, again);
            assertEquals(Outcome.SIGNED, store.verifyReceipt(again).outcome());
            assertEquals(Outcome.SIGNED, store.verifyReceipt(original).outcome());
        } finally {
            TestSupport.closeStore(store);
        }
    }

    @Test
    void signingIsOffByDefault() {
        BatpakStore store = BatpakStore.open(config().build(), system);
        try {
            AppendReceipt r = await(store.append(c("u1"), KIND, new byte[] {1}));
            assertFalse(r.signed());
            assertEquals(Outcome.UNSIGNED, store.verifyReceipt(r).outcome());
            KeyId someKey = KEY_A.keyId();
            AppendReceipt signedElsewhere = ReceiptSigner.of(List.of(KEY_A), List.of()).sign(r);
            assertEquals(someKey, signedElsewhere.keyId().orElseThrow());
            assertEquals(Outcome.UNKNOWN_KEY, store.verifyReceipt(signedElsewhere).outcome());
        } finally {
            TestSupport.closeStore(store);
        }
    }
}
