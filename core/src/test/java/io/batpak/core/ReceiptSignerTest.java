package io.batpak.core;

import io.batpak.core.error.InvalidConfigException;
import io.batpak.core.error.InvalidInputException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.ReceiptVerification.Outcome;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.junit.jupiter.api.Test;

/** Ed25519 receipt signing: keys, key ids, the exact signed bytes, determinism, rotation and every rejection. */
class ReceiptSignerTest {
    private static final HexFormat HEX = HexFormat.of();

    static SigningKey key(int n) {
        byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) n);
        return SigningKey.fromSeed(seed);
    }

    static AppendReceipt receipt() {
        byte[] hash = new byte[32];
        for (int i = 0; i < 32; i++) {
            hash[i] = (byte) (0xA0 + i);
        }
        return new AppendReceipt(new EventId(0x0102030405060708L, 0x1112131415161718L), Coordinate.of("order:42", "shop"),
                7, 1234, 1_700_000_000_000_123L, Hash.of(hash));
    }

    @Test
    void keysFollowRfc8032AndKeyIdsAreTheFirst16BytesOfBlake3OfThePublicKey() {
        // RFC 8032 section 7.1, tests 1 and 2.
        SigningKey k1 = SigningKey.fromSeed(HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        assertEquals("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                HEX.formatHex(k1.publicKey().encoded()));
        assertEquals("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
                HEX.formatHex(k1.sign(new byte[0])));
        SigningKey k2 = SigningKey.fromSeed(HEX.parseHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"));
        assertEquals("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
                HEX.formatHex(k2.publicKey().encoded()));
        byte[] sig = k2.sign(new byte[] {0x72});
        assertEquals("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
                HEX.formatHex(sig));
        assertTrue(k2.publicKey().verify(new byte[] {0x72}, sig));
        assertFalse(k2.publicKey().verify(new byte[] {0x73}, sig));
        assertFalse(k1.publicKey().verify(new byte[] {0x72}, sig));

        Blake3Digest d = new Blake3Digest(256);
        byte[] pub = k1.publicKey().encoded();
        d.update(pub, 0, pub.length);
        byte[] h = new byte[32];
        d.doFinal(h, 0);
        assertArrayEquals(Arrays.copyOf(h, 16), k1.keyId().toByteArray());
        assertEquals(k1.keyId(), VerifyingKey.of(pub).keyId());
        assertFalse(k1.toString().contains("9d61b1"), "toString never shows the seed: " + k1);

        assertThrows(InvalidInputException.class, () -> SigningKey.fromSeed(new byte[31]));
        assertThrows(InvalidInputException.class, () -> VerifyingKey.of(new byte[33]));
        assertThrows(InvalidInputException.class, () -> KeyId.of(new byte[8]));
    }

    @Test
    void signedBytesAreTheDocumentedLayout() {
        AppendReceipt r = receipt();
        KeyId id = KeyId.of(HEX.parseHex("000102030405060708090a0b0c0d0e0f"));
        byte[] bytes = ReceiptSigner.signedBytes(r, id);
        assertEquals(108 + "order:42".length() + "shop".length(), bytes.length);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("batpak.receipt.1", new String(bytes, 0, 16, StandardCharsets.US_ASCII));
        assertArrayEquals(id.toByteArray(), Arrays.copyOfRange(bytes, 16, 32));
        assertEquals(0x0102030405060708L, b.getLong(32));
        assertEquals(0x1112131415161718L, b.getLong(40));
        assertEquals(8, bytes[32], "little-endian");
        assertEquals(7, b.getLong(48));
        assertEquals(1234, b.getLong(56));
        assertEquals(1_700_000_000_000_123L, b.getLong(64));
        assertArrayEquals(r.eventHash().toByteArray(), Arrays.copyOfRange(bytes, 72, 104));
        assertEquals(8, b.getShort(104));
        assertEquals("order:42", new String(bytes, 106, 8, StandardCharsets.UTF_8));
        assertEquals(4, b.getShort(114));
        assertEquals("shop", new String(bytes, 116, 4, StandardCharsets.UTF_8));
    }

    @Test
    void signingIsDeterministicAndTheNewestKeySigns() {
        SigningKey old = key(1);
        SigningKey newest = key(2);
        ReceiptSigner s = ReceiptSigner.of(List.of(old, newest), List.of());
        assertTrue(s.signs());
        assertEquals(newest.keyId(), s.signingKeyId().orElseThrow());
        AppendReceipt a = s.sign(receipt());
        AppendReceipt b = s.sign(receipt());
        assertEquals(a, b, "Ed25519 is deterministic: re-signing gives the same receipt");
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(newest.keyId(), a.keyId().orElseThrow());
        assertTrue(newest.publicKey().verify(ReceiptSigner.signedBytes(a.unsigned(), newest.keyId()),
                a.signature().signature()), "the signature covers exactly signedBytes");
        assertEquals(Outcome.SIGNED, s.checkSignature(a).outcome());
        assertEquals(s.sign(a), a, "signing a signed receipt again replaces its signature by the same one");

        AppendReceipt byOld = ReceiptSigner.of(List.of(old), List.of()).sign(receipt());
        assertEquals(old.keyId(), byOld.keyId().orElseThrow());
        assertNotEquals(byOld, a);
        assertEquals(Outcome.SIGNED, s.checkSignature(byOld).outcome(), "older keys still verify");
        assertEquals(Outcome.UNKNOWN_KEY, ReceiptSigner.of(List.of(newest), List.of()).checkSignature(byOld).outcome());
        assertEquals(Outcome.SIGNED, ReceiptSigner.of(List.of(newest), List.of(old.publicKey())).checkSignature(byOld)
                .outcome(), "a verify-only public key accepts its receipts");
    }

    @Test
    void alteredForgedAndUnknownKeyReceiptsAreRejected() {
        SigningKey k = key(3);
        ReceiptSigner s = ReceiptSigner.of(List.of(k), List.of());
        AppendReceipt good = s.sign(receipt());
        ReceiptSignature sig = good.signature();

        Map<String, AppendReceipt> altered = new LinkedHashMap<>();
        altered.put("eventId", new AppendReceipt(new EventId(good.eventId().msb(), good.eventId().lsb() ^ 1),
                good.coordinate(), good.entitySequence(), good.globalSequence(), good.timestampMicros(), good.eventHash(), sig));
        altered.put("entity", new AppendReceipt(good.eventId(), Coordinate.of("order:43", "shop"), good.entitySequence(),
                good.globalSequence(), good.timestampMicros(), good.eventHash(), sig));
        altered.put("scope", new AppendReceipt(good.eventId(), Coordinate.of("order:42", "shoP"), good.entitySequence(),
                good.globalSequence(), good.timestampMicros(), good.eventHash(), sig));
        altered.put("entitySequence", new AppendReceipt(good.eventId(), good.coordinate(), good.entitySequence() + 1,
                good.globalSequence(), good.timestampMicros(), good.eventHash(), sig));
        altered.put("globalSequence", new AppendReceipt(good.eventId(), good.coordinate(), good.entitySequence(),
                good.globalSequence() - 1, good.timestampMicros(), good.eventHash(), sig));
        altered.put("timestamp", new AppendReceipt(good.eventId(), good.coordinate(), good.entitySequence(),
                good.globalSequence(), good.timestampMicros() + 1, good.eventHash(), sig));
        altered.put("eventHash", new AppendReceipt(good.eventId(), good.coordinate(), good.entitySequence(),
                good.globalSequence(), good.timestampMicros(), Hash.ZERO, sig));
        for (int i : new int[] {0, 31, 32, 63}) {
            byte[] bytes = sig.signature();
            bytes[i] ^= 1;
            altered.put("signature byte " + i, good.withSignature(ReceiptSignature.of(k.keyId(), bytes)));
        }
        for (Map.Entry<String, AppendReceipt> e : altered.entrySet()) {
            ReceiptVerification v = s.checkSignature(e.getValue());
            assertEquals(Outcome.INVALID_SIGNATURE, v.outcome(), e.getKey());
            assertFalse(v.valid(), e.getKey());
        }

        // A forger's own key, claiming the store's key id: the signature does not verify.
        SigningKey forger = key(4);
        byte[] forged = forger.sign(ReceiptSigner.signedBytes(good, k.keyId()));
        assertEquals(Outcome.INVALID_SIGNATURE,
                s.checkSignature(good.withSignature(ReceiptSignature.of(k.keyId(), forged))).outcome());
        // Under its own key id: unknown key.
        AppendReceipt ownKey = ReceiptSigner.of(List.of(forger), List.of()).sign(good);
        assertEquals(Outcome.UNKNOWN_KEY, s.checkSignature(ownKey).outcome());
        // Another key id on the genuine signature: unknown key or, if known, invalid (the key id is signed too).
        ReceiptSigner both = ReceiptSigner.of(List.of(forger, k), List.of());
        assertEquals(Outcome.INVALID_SIGNATURE,
                both.checkSignature(good.withSignature(ReceiptSignature.of(forger.keyId(), sig.signature()))).outcome());

        // Stripping the signature is no downgrade while the store signs.
        assertEquals(Outcome.UNSIGNED_REJECTED, s.checkSignature(good.unsigned()).outcome());
        assertEquals(Outcome.UNSIGNED, ReceiptSigner.NONE.checkSignature(good.unsigned()).outcome());
        assertEquals(Outcome.UNSIGNED, ReceiptSigner.of(List.of(), List.of(k.publicKey())).checkSignature(good.unsigned())
                .outcome(), "verify-only keys do not sign, so unsigned receipts are what such a store issues");
        assertEquals(Outcome.UNKNOWN_KEY, ReceiptSigner.NONE.checkSignature(good).outcome());
    }

    @Test
    void unsignedReceiptsKeepTheirOldShape() {
        AppendReceipt r = receipt();
        assertFalse(r.signed());
        assertNull(r.signature());
        assertTrue(r.keyId().isEmpty());
        assertSame(r, r.unsigned());
        assertSame(ReceiptSigner.NONE, ReceiptSigner.of(List.of(), List.of()));
        assertEquals(r, ReceiptSigner.NONE.sign(r));
    }

    @Test
    void storeConfigTakesSigningAndVerifyingKeys() {
        Path dir = Path.of("unused");
        StoreConfig plain = StoreConfig.builder(dir).build();
        assertTrue(plain.signingKeys().isEmpty());
        assertTrue(plain.verifyingKeys().isEmpty());
        StoreConfig c = StoreConfig.builder(dir).signingKeys(List.of(key(1), key(2)))
                .verifyingKeys(List.of(key(9).publicKey())).build();
        assertEquals(List.of(key(1).keyId(), key(2).keyId()), c.signingKeys().stream().map(SigningKey::keyId).toList());
        assertEquals(key(9).publicKey(), c.verifyingKeys().get(0));
        assertTrue(c.toString().contains(key(2).keyId().toString()));
        ReceiptSigner s = ReceiptSigner.of(c);
        assertEquals(key(2).keyId(), s.signingKeyId().orElseThrow());
        assertEquals(3, s.verifyingKeyIds().size());
        assertThrows(InvalidConfigException.class,
                () -> StoreConfig.builder(dir).signingKeys(List.of(key(1), key(1))).build());
        assertThrows(InvalidInputException.class, () -> StoreConfig.builder(dir).signingKeys(null));
    }
}
