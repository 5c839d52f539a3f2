package io.batpak.core.internal.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.Hash;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.PayloadCodec;
import io.batpak.core.StoredEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    private static final PayloadCodec CODEC = PayloadCodec.defaultCodec();

    /** Everything needed to encode one frame; with* methods vary one input. */
    private record Input(String entity, String scope, byte[] payload, int kind, int flags, int payloadVersion,
                         long entitySequence, long timestamp, EventId id, EventId correlation, EventId causation,
                         IdempotencyKey key, byte[] prevHash) {
        static Input sample() {
            byte[] prev = new byte[32];
            new Random(1).nextBytes(prev);
            return new Input("order:42", "tenant-ä", CODEC.encode(Map.of("amount", 17)),
                    EventKind.of(0x3, 0x1A2).raw(), 0xA5, 3, 41, 1_700_000_000_123_456L,
                    new EventId(0x0123456789AB7CDEL, 0x8123456789ABCDEFL), new EventId(0x1111L, 0x2222L),
                    new EventId(0x3333L, 0x4444L), IdempotencyKey.of(0x5555L, 0x6666L), prev);
        }

        Input withKind(int k) {
            return new Input(entity, scope, payload, k, flags, payloadVersion, entitySequence, timestamp, id, correlation,
                    causation, key, prevHash);
        }

        Input withEntitySequence(long s) {
            return new Input(entity, scope, payload, kind, flags, payloadVersion, s, timestamp, id, correlation,
                    causation, key, prevHash);
        }

        Input withPrevHash(byte[] p) {
            return new Input(entity, scope, payload, kind, flags, payloadVersion, entitySequence, timestamp, id,
                    correlation, causation, key, p);
        }

        Input withPayload(byte[] p) {
            return new Input(entity, scope, p, kind, flags, payloadVersion, entitySequence, timestamp, id, correlation,
                    causation, key, prevHash);
        }

        Input withEntity(String e) {
            return new Input(e, scope, payload, kind, flags, payloadVersion, entitySequence, timestamp, id, correlation,
                    causation, key, prevHash);
        }

        Input withScope(String s) {
            return new Input(entity, s, payload, kind, flags, payloadVersion, entitySequence, timestamp, id, correlation,
                    causation, key, prevHash);
        }

        Input withFlags(int f) {
            return new Input(entity, scope, payload, kind, f, payloadVersion, entitySequence, timestamp, id, correlation,
                    causation, key, prevHash);
        }

        Input withTimestamp(long t) {
            return new Input(entity, scope, payload, kind, flags, payloadVersion, entitySequence, t, id, correlation,
                    causation, key, prevHash);
        }

        Input withIds(EventId i, EventId corr, EventId cause, IdempotencyKey k) {
            return new Input(entity, scope, payload, kind, flags, payloadVersion, entitySequence, timestamp, i, corr,
                    cause, k, prevHash);
        }

        Input withPayloadVersion(int v) {
            return new Input(entity, scope, payload, kind, flags, v, entitySequence, timestamp, id, correlation,
                    causation, key, prevHash);
        }
    }

    private record Encoded(byte[] frame, byte[] hash) {
    }

    private static Encoded encode(FrameEncoder enc, Input in) {
        byte[] hash = new byte[32];
        byte[] frame = enc.encode(in.entity.getBytes(StandardCharsets.UTF_8), in.scope.getBytes(StandardCharsets.UTF_8),
                null, in.payload, 0, in.kind, in.flags, in.payloadVersion, in.entitySequence, in.timestamp, in.id, in.correlation,
                in.causation, in.key, in.prevHash, hash);
        return new Encoded(frame, hash);
    }

    private static Encoded encode(Input in) {
        return encode(new FrameEncoder(), in);
    }

    private static ByteBuffer placed(byte[] frame, long globalSequence, int batchCount, int batchIndex) {
        ByteBuffer buf = ByteBuffer.wrap(frame.clone()).order(ByteOrder.LITTLE_ENDIAN);
        FrameEncoder.place(buf, 0, frame.length, globalSequence, batchCount, batchIndex, new CRC32C());
        return buf;
    }

    /**
     * BLAKE3-256 over "batpak:event:v2" || prevHash || bytes[128,224) || entity || scope || BLAKE3(payload), computed
     * from the spec alone (a frame without tags).
     */
    private static byte[] specHash(byte[] frame, Input in) {
        Blake3Digest d = new Blake3Digest(256);
        byte[] domain = "batpak:event:v2".getBytes(StandardCharsets.US_ASCII);
        d.update(domain, 0, domain.length);
        d.update(in.prevHash, 0, 32);
        d.update(frame, 128, 224 - 128);
        byte[] e = in.entity.getBytes(StandardCharsets.UTF_8);
        byte[] s = in.scope.getBytes(StandardCharsets.UTF_8);
        d.update(e, 0, e.length);
        d.update(s, 0, s.length);
        Blake3Digest p = new Blake3Digest(256);
        p.update(in.payload, 0, in.payload.length);
        byte[] digest = new byte[32];
        p.doFinal(digest, 0);
        d.update(digest, 0, 32);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    @Test
    void bouncyCastleBlake3MatchesTheReferenceVector() {
        Blake3Digest d = new Blake3Digest(256);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        assertEquals("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", HexFormat.of().formatHex(out));
    }

    @Test
    void roundTripOfEveryField() {
        Input in = Input.sample();
        Encoded enc = encode(in);
        ByteBuffer buf = placed(enc.frame, 987_654_321_012L, 3, 2);
        FrameView v = new FrameView().wrap(buf, 0);
        assertNull(v.validate());
        assertEquals(enc.frame.length, v.totalLength());
        assertEquals(FrameLayout.frameSize(8, "tenant-ä".getBytes(StandardCharsets.UTF_8).length, 0, in.payload.length),
                enc.frame.length);
        assertEquals(216 + 8 + 9 + in.payload.length, v.frameLength());
        assertEquals(987_654_321_012L, v.globalSequence());
        assertEquals(3, v.batchCount());
        assertEquals(2, v.batchIndex());
        assertEquals(in.id.msb(), v.eventIdMsb());
        assertEquals(in.id.lsb(), v.eventIdLsb());
        assertEquals(0x5555L, v.idempotencyKeyMsb());
        assertEquals(0x6666L, v.idempotencyKeyLsb());
        assertTrue(v.entityEquals("order:42".getBytes(StandardCharsets.UTF_8)));
        assertFalse(v.entityEquals("order:43".getBytes(StandardCharsets.UTF_8)));
        assertFalse(v.entityEquals("order:4".getBytes(StandardCharsets.UTF_8)));
        assertTrue(v.prevHashEquals(in.prevHash));

        StoredEvent e = v.toStoredEvent(CODEC, null);
        assertEquals(in.id, e.eventId());
        assertEquals(Coordinate.of("order:42", "tenant-ä"), e.coordinate());
        assertEquals(EventKind.of(0x3, 0x1A2), e.kind());
        assertEquals(41, e.entitySequence());
        assertEquals(987_654_321_012L, e.globalSequence());
        assertEquals(1_700_000_000_123_456L, e.timestampMicros());
        assertEquals(in.correlation, e.correlationId());
        assertEquals(in.causation, e.causationId().orElseThrow());
        assertEquals(0xA5, e.flags());
        assertEquals(3, e.payloadVersion());
        assertEquals(Hash.of(in.prevHash), e.prevHash());
        assertEquals(Hash.of(enc.hash), e.eventHash());
        assertArrayEquals(in.payload, e.payload());
        assertEquals(17, e.payloadAs(Map.class).get("amount"));
    }

    @Test
    void extremeFieldValuesRoundTrip() {
        Input in = Input.sample().withFlags(0xFF).withPayloadVersion(0xFFFF).withKind(0xFFFF)
                .withEntitySequence(Long.MAX_VALUE).withTimestamp(-1L).withEntity("e".repeat(1024))
                .withScope("€".repeat(341) + "x").withPayload(new byte[0]);
        Encoded enc = encode(in);
        FrameView v = new FrameView().wrap(placed(enc.frame, 0, 1, 0), 0);
        assertNull(v.validate());
        StoredEvent e = v.toStoredEvent(CODEC, null);
        assertEquals(0xFF, e.flags());
        assertEquals(0xFFFF, e.payloadVersion());
        assertEquals(0xFFFF, e.kind().raw());
        assertEquals(Long.MAX_VALUE, e.entitySequence());
        assertEquals(-1L, e.timestampMicros());
        assertEquals(1024, e.coordinate().entity().length());
        assertEquals("€".repeat(341) + "x", e.coordinate().scope());
        assertEquals(0, e.payloadLength());
        assertEquals(1024, v.entityLength());
        assertEquals(1024, v.scopeLength());
    }

    @Test
    void missingCorrelationMeansSelfAndMissingCausationMeansNone() {
        Input in = Input.sample().withIds(new EventId(0x77L, 0x88L), new EventId(0x77L, 0x88L), null, null);
        Encoded enc = encode(in);
        FrameView v = new FrameView().wrap(placed(enc.frame, 5, 1, 0), 0);
        StoredEvent e = v.toStoredEvent(CODEC, null);
        assertEquals(e.eventId(), e.correlationId());
        assertTrue(e.causationId().isEmpty());
        assertEquals(0, v.idempotencyKeyMsb());
        assertEquals(0, v.idempotencyKeyLsb());
        // Causation and key bytes are all zero on disk.
        for (int i = FrameLayout.CAUSATION_ID_OFFSET; i < FrameLayout.VARIABLE_OFFSET; i++) {
            assertEquals(0, enc.frame[i], "byte " + i);
        }
    }

    @Test
    void encodedFrameHasDocumentedLittleEndianLayout() {
        Input in = Input.sample();
        Encoded enc = encode(in);
        ByteBuffer b = ByteBuffer.wrap(enc.frame).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(enc.frame.length - 8, b.getInt(0));
        assertEquals(0, b.getInt(4), "checksum is left zero until placed");
        assertEquals(0, b.getLong(8), "global sequence is left zero until placed");
        assertEquals(1, b.getInt(16));
        assertEquals(0, b.getInt(20));
        assertEquals(0, enc.frame[24], "payload present");
        assertArrayEquals(new byte[7], Arrays.copyOfRange(enc.frame, 25, 32));
        assertArrayEquals(enc.hash, Arrays.copyOfRange(enc.frame, 32, 64));
        Blake3Digest pd = new Blake3Digest(256);
        pd.update(in.payload, 0, in.payload.length);
        byte[] digest = new byte[32];
        pd.doFinal(digest, 0);
        assertArrayEquals(digest, Arrays.copyOfRange(enc.frame, 64, 96));
        assertArrayEquals(in.prevHash, Arrays.copyOfRange(enc.frame, 96, 128));
        assertEquals(1, enc.frame[128]);
        assertEquals((byte) 0xA5, enc.frame[129]);
        assertEquals(0x31A2, b.getShort(130) & 0xFFFF);
        assertEquals(3, b.getShort(132));
        assertEquals(8, b.getShort(134));
        assertEquals(9, b.getShort(136));
        assertEquals(0, enc.frame[138], "no tags");
        assertEquals(0, enc.frame[139]);
        assertEquals(in.payload.length, b.getInt(140));
        assertEquals(41, b.getLong(144));
        assertEquals(in.timestamp, b.getLong(152));
        assertEquals(in.id.msb(), b.getLong(160));
        assertEquals(in.id.lsb(), b.getLong(168));
        assertEquals(in.correlation.msb(), b.getLong(176));
        assertEquals(in.correlation.lsb(), b.getLong(184));
        assertEquals(in.causation.msb(), b.getLong(192));
        assertEquals(in.causation.lsb(), b.getLong(200));
        assertEquals(0x5555L, b.getLong(208));
        assertEquals(0x6666L, b.getLong(216));
        assertEquals("order:42", new String(enc.frame, 224, 8, StandardCharsets.UTF_8));
    }

    @Test
    void placeWritesPlacementAndACrc32cOverTheCoveredRegion() {
        Encoded enc = encode(Input.sample());
        ByteBuffer buf = placed(enc.frame, 77, 4, 1);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 8, enc.frame.length - 8);
        assertEquals((int) crc.getValue(), buf.getInt(4));
        assertEquals(77, buf.getLong(8));
        assertEquals(4, buf.getInt(16));
        assertEquals(1, buf.getInt(20));
        // Placement touches nothing but bytes [4, 24).
        for (int i = 0; i < enc.frame.length; i++) {
            if (i < 4 || i >= 24) {
                assertEquals(enc.frame[i], buf.array()[i], "byte " + i);
            }
        }
    }

    @Test
    void placeAtAnOffsetInsideALargerBuffer() {
        Encoded a = encode(Input.sample());
        Encoded b = encode(Input.sample().withEntitySequence(42).withPrevHash(a.hash));
        ByteBuffer buf = ByteBuffer.allocateDirect(a.frame.length + b.frame.length + 10).order(ByteOrder.LITTLE_ENDIAN);
        buf.position(10);
        buf.put(a.frame);
        buf.put(b.frame);
        CRC32C crc = new CRC32C();
        FrameEncoder.place(buf, 10, a.frame.length, 0, 2, 0, crc);
        FrameEncoder.place(buf, 10 + a.frame.length, b.frame.length, 1, 2, 1, crc);
        FrameView v = new FrameView();
        assertNull(v.wrap(buf, 10).validate());
        assertEquals(0, v.globalSequence());
        assertNull(v.wrap(buf, 10 + a.frame.length).validate());
        assertEquals(1, v.globalSequence());
        assertEquals(42, v.entitySequence());
        assertTrue(v.prevHashEquals(a.hash));
    }

    @Test
    void eventHashIsBlake3OverTheDocumentedRegion() {
        Input in = Input.sample();
        Encoded enc = encode(in);
        assertArrayEquals(specHash(enc.frame, in), enc.hash);
        // The payload enters only through its digest: replacing the payload bytes (same length) leaves the hash alone
        // once the digest is put back.
        byte[] other = enc.frame.clone();
        int payloadAt = other.length - in.payload.length;
        Arrays.fill(other, payloadAt, other.length, (byte) 0x5A);
        byte[] out = new byte[32];
        new FrameEncoder().hashInto(other, 0, payloadAt, out, 0);
        assertArrayEquals(enc.hash, out);
        FrameView v = new FrameView().wrap(placed(enc.frame, 3, 1, 0), 0);
        byte[] stored = new byte[32];
        v.eventHash(stored);
        assertArrayEquals(enc.hash, stored);
    }

    @Test
    void reusedEncoderGivesTheSameHashesAsFreshOnes() {
        FrameEncoder shared = new FrameEncoder();
        Random r = new Random(7);
        byte[] prev = new byte[32];
        for (int i = 0; i < 50; i++) {
            byte[] payload = new byte[r.nextInt(3000)];
            r.nextBytes(payload);
            Input in = Input.sample().withEntitySequence(i).withPrevHash(prev).withPayload(payload);
            Encoded a = encode(shared, in);
            Encoded b = encode(new FrameEncoder(), in);
            assertArrayEquals(b.hash, a.hash, "encoder state leaked between frames at " + i);
            assertArrayEquals(b.frame, a.frame);
            assertArrayEquals(specHash(a.frame, in), a.hash);
            prev = a.hash;
        }
    }

    @Test
    void hashedFieldsChangeTheHash() {
        Input base = Input.sample();
        byte[] h = encode(base).hash;
        byte[] otherPrev = base.prevHash.clone();
        otherPrev[31] ^= 1;
        byte[] otherPayload = base.payload.clone();
        otherPayload[0] ^= 1;
        List<Input> variants = List.of(
                base.withKind(EventKind.of(0x3, 0x1A3).raw()),
                base.withKind(EventKind.of(0x4, 0x1A2).raw()),
                base.withEntitySequence(42),
                base.withPrevHash(otherPrev),
                base.withPrevHash(new byte[32]),
                base.withPayload(otherPayload),
                base.withPayload(Arrays.copyOf(base.payload, base.payload.length + 1)),
                base.withEntity("order:43"),
                base.withScope("tenant-b"),
                // Moving a byte from the entity to the scope changes the lengths field, so the hash.
                base.withEntity("order:4").withScope("2tenant-ä"),
                base.withFlags(0xA4),
                base.withPayloadVersion(4),
                base.withTimestamp(base.timestamp + 1),
                base.withIds(new EventId(1, 2), base.correlation, base.causation, base.key),
                base.withIds(base.id, new EventId(1, 2), base.causation, base.key),
                base.withIds(base.id, base.correlation, null, base.key),
                base.withIds(base.id, base.correlation, base.causation, IdempotencyKey.of(9, 9)));
        for (Input v : variants) {
            Encoded e = encode(v);
            assertFalse(Arrays.equals(h, e.hash), "hash must cover " + v);
            assertArrayEquals(specHash(e.frame, v), e.hash);
        }
    }

    @Test
    void placementFieldsDoNotChangeTheHash() {
        Input in = Input.sample();
        Encoded enc = encode(in);
        ByteBuffer a = placed(enc.frame, 0, 1, 0);
        ByteBuffer b = placed(enc.frame, Long.MAX_VALUE, 7, 6);
        assertFalse(Arrays.equals(a.array(), b.array()), "placement changed the frame bytes");
        assertEquals(enc.frame.length, a.array().length, "placement changes no length");
        FrameEncoder fe = new FrameEncoder();
        byte[] ha = new byte[32];
        byte[] hb = new byte[32];
        fe.hashInto(a.array(), 0, a.array().length - in.payload.length, ha, 0);
        fe.hashInto(b.array(), 0, b.array().length - in.payload.length, hb, 0);
        assertArrayEquals(enc.hash, ha);
        assertArrayEquals(enc.hash, hb);
        FrameView v = new FrameView().wrap(b, 0);
        byte[] stored = new byte[32];
        v.eventHash(stored);
        assertArrayEquals(enc.hash, stored);
        assertTrue(v.prevHashEquals(in.prevHash));
    }

    @Test
    void validateReportsEveryFlippedByteAsAChecksumMismatch() {
        Encoded enc = encode(Input.sample());
        byte[] good = placed(enc.frame, 12, 1, 0).array();
        FrameView v = new FrameView();
        for (int i = FrameLayout.CRC_OFFSET; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x40;
            String problem = v.wrap(ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN), 0).validate();
            assertEquals("frame checksum mismatch", problem, "flipped byte " + i);
        }
    }

    @Test
    void validateReportsStructuralProblemsEvenWithAMatchingChecksum() {
        Encoded enc = encode(Input.sample());
        FrameView v = new FrameView();

        ByteBuffer type = placed(enc.frame, 0, 1, 0);
        type.put(FrameLayout.FRAME_TYPE_OFFSET, (byte) 3);
        reCrc(type);
        assertEquals("unknown frame type 3", v.wrap(type, 0).validate());

        // An event frame retyped as a removal frame is a malformed removal frame.
        ByteBuffer removal = placed(enc.frame, 0, 1, 0);
        removal.put(FrameLayout.FRAME_TYPE_OFFSET, FrameLayout.FRAME_TYPE_REMOVAL);
        reCrc(removal);
        assertEquals("reserved field of a removal frame is not zero", v.wrap(removal, 0).validate());

        ByteBuffer encoding = placed(enc.frame, 0, 1, 0);
        encoding.put(FrameLayout.PAYLOAD_ENCODING_OFFSET, (byte) 2);
        reCrc(encoding);
        assertEquals("unknown payload encoding 2", v.wrap(encoding, 0).validate());

        ByteBuffer reserved = placed(enc.frame, 0, 1, 0);
        reserved.put(FrameLayout.STATE_RESERVED_OFFSET + 3, (byte) 1);
        reCrc(reserved);
        assertEquals("reserved header field is not zero", v.wrap(reserved, 0).validate());

        ByteBuffer zeroEntity = placed(enc.frame, 0, 1, 0);
        zeroEntity.putShort(FrameLayout.ENTITY_LENGTH_OFFSET, (short) 0);
        reCrc(zeroEntity);
        assertTrue(v.wrap(zeroEntity, 0).validate().startsWith("bad entity/scope length 0/"));

        ByteBuffer longScope = placed(enc.frame, 0, 1, 0);
        longScope.putShort(FrameLayout.SCOPE_LENGTH_OFFSET, (short) 1025);
        reCrc(longScope);
        assertTrue(v.wrap(longScope, 0).validate().startsWith("bad entity/scope length"));

        ByteBuffer parts = placed(enc.frame, 0, 1, 0);
        parts.putInt(FrameLayout.PAYLOAD_LENGTH_OFFSET, parts.getInt(FrameLayout.PAYLOAD_LENGTH_OFFSET) - 1);
        reCrc(parts);
        assertTrue(v.wrap(parts, 0).validate().contains("does not match its parts"));

        ByteBuffer batch = placed(enc.frame, 0, 3, 3);
        assertEquals("bad batch position 3/3", v.wrap(batch, 0).validate());
        assertEquals("bad batch position 0/0", v.wrap(placed(enc.frame, 0, 0, 0), 0).validate());

        ByteBuffer shortLen = placed(enc.frame, 0, 1, 0);
        shortLen.putInt(FrameLayout.LENGTH_OFFSET, FrameLayout.MIN_FRAME_LENGTH - 1);
        assertTrue(v.wrap(shortLen, 0).validate().contains("below the minimum"));
    }

    private static void reCrc(ByteBuffer b) {
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 8, b.array().length - 8);
        b.putInt(FrameLayout.CRC_OFFSET, (int) crc.getValue());
    }

    @Test
    void viewReadsFromBigEndianBuffersAsLittleEndian() {
        Input in = Input.sample();
        Encoded enc = encode(in);
        byte[] bytes = placed(enc.frame, 99, 1, 0).array();
        FrameView v = new FrameView().wrap(ByteBuffer.wrap(bytes), 0);
        assertNull(v.validate());
        assertEquals(99, v.globalSequence());
        assertEquals(in.entitySequence, v.entitySequence());
        assertEquals(in.kind, v.kind());
    }
}
