package io.batpak.core.internal.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.Hash;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.internal.index.EntityState;
import io.batpak.core.internal.index.EventIndex;
import io.batpak.core.internal.index.IdempotencyIndex;
import io.batpak.core.internal.segment.FrameEncoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * Drives a {@link StoreCore} and a {@link JournalWriter} the way the entity partitions and the writer actor do:
 * per-entity heads (last sequence and hash, seeded from the store), the store clock, UUIDv7 ids, chained frames,
 * rotation before a group that does not fit. Records what it appended so tests can check what reads back.
 */
final class JournalHarness implements AutoCloseable {

    /** What an appended event must read back as. */
    static final class Expected {
        final PendingEvent pending;
        final Coordinate coordinate;
        final EventKind kind;
        final int flags;
        final int payloadVersion;
        final EventId correlation;
        final EventId causation;
        final byte[] prevHash;
        final byte[] payload;
        final Object claim;
        final List<String> tags;

        Expected(PendingEvent pending, Coordinate coordinate, EventKind kind, int flags, int payloadVersion,
                 EventId correlation, EventId causation, byte[] prevHash, byte[] payload, Object claim,
                 List<String> tags) {
            this.tags = tags;
            this.pending = pending;
            this.coordinate = coordinate;
            this.kind = kind;
            this.flags = flags;
            this.payloadVersion = payloadVersion;
            this.correlation = correlation;
            this.causation = causation;
            this.prevHash = prevHash;
            this.payload = payload;
            this.claim = claim;
        }

        long globalSequence() {
            return pending.globalSequence();
        }
    }

    private record Head(long lastSeq, byte[] lastHash) {
    }

    final StoreCore core;
    final JournalWriter writer;
    private final FrameEncoder encoder = new FrameEncoder();
    private final Map<String, Head> heads = new HashMap<>();

    JournalHarness(StoreConfig config) throws IOException {
        this.core = StoreCore.open(config);
        JournalWriter w;
        try {
            w = new JournalWriter(core);
        } catch (IOException | RuntimeException e) {
            core.close();
            throw e;
        }
        this.writer = w;
    }

    private Head head(String entity) {
        return heads.computeIfAbsent(entity, e -> {
            StoreCore.EntityHead h = core.head(e);
            return new Head(h.lastSequence(), h.lastHash());
        });
    }

    /** Builds (and chains onto the entity's head) one event; claims its key like a partition does. */
    Expected build(Coordinate c, EventKind kind, byte[] payload, int flags, int payloadVersion, EventId correlation,
                   EventId causation, IdempotencyKey key) {
        return build(c, kind, payload, flags, payloadVersion, correlation, causation, key, List.of());
    }

    /** {@link #build(Coordinate, EventKind, byte[], int, int, EventId, EventId, IdempotencyKey)} with tags. */
    Expected build(Coordinate c, EventKind kind, byte[] payload, int flags, int payloadVersion, EventId correlation,
                   EventId causation, IdempotencyKey key, List<String> tags) {
        IdempotencyIndex.Holder claim = null;
        if (key != null) {
            claim = new IdempotencyIndex.Holder() { };
            IdempotencyIndex.Claim r = core.keys().claim(key, claim);
            if (r != IdempotencyIndex.Granted.INSTANCE) {
                throw new IllegalStateException("key " + key + " is not new: " + r);
            }
        }
        Head h = head(c.entity());
        long seq = h.lastSeq() + 1;
        long ts = core.clock().next();
        EventId id = EventId.generate();
        EventId corr = correlation != null ? correlation : id;
        byte[] hash = new byte[32];
        byte[][] tagBytes = tags.isEmpty() ? null : tags.stream()
                .map(t -> t.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toArray(byte[][]::new);
        byte[] frame = encoder.encode(c.entityBytes(), c.scopeBytes(), tagBytes, payload, 0, kind.raw(), flags,
                payloadVersion, seq, ts, id, corr, causation, key, h.lastHash(), hash);
        PendingEvent p = new PendingEvent(frame, c, id, seq, ts, hash, kind.raw(), key, tags, null);
        heads.put(c.entity(), new Head(seq, hash));
        return new Expected(p, c, kind, flags, payloadVersion, corr, causation, h.lastHash(), payload.clone(), claim,
                tags);
    }

    Expected simple(String entity, String scope, int payloadSize, Random r) {
        byte[] payload = new byte[payloadSize];
        r.nextBytes(payload);
        return build(Coordinate.of(entity, scope), EventKind.of(1 + r.nextInt(0xC), r.nextInt(0x1000)), payload,
                r.nextInt(256), r.nextInt(0x10000), null, null, null);
    }

    /** Stages one atomic group, committing and rotating first when it does not fit the active segment. */
    void stage(Expected... group) throws IOException {
        PendingEvent[] events = new PendingEvent[group.length];
        long bytes = 0;
        for (int i = 0; i < group.length; i++) {
            events[i] = group[i].pending;
            bytes += events[i].frameLength();
        }
        if (!writer.fits(bytes)) {
            writer.commit();
            writer.rotate();
        }
        writer.stage(events);
    }

    /**
     * Appends a random workload: {@code count} events over five entities and three scopes, single appends and
     * atomic groups (sometimes several events of one entity), some with idempotency keys, causation and
     * correlation links, committed in group commits of varying size.
     */
    List<Expected> appendRandom(Random r, int count, int maxPayload, String keyPrefix) throws IOException {
        return appendRandom(r, count, maxPayload, keyPrefix, 3);
    }

    /** {@link #appendRandom(Random, int, int, String)} over {@code scopes} scopes. */
    List<Expected> appendRandom(Random r, int count, int maxPayload, String keyPrefix, int scopes) throws IOException {
        List<Expected> out = new ArrayList<>();
        int sinceCommit = 0;
        while (out.size() < count) {
            int groupSize = r.nextInt(5) == 0 ? 2 + r.nextInt(4) : 1;
            groupSize = Math.min(groupSize, count - out.size());
            Expected[] group = new Expected[groupSize];
            for (int i = 0; i < groupSize; i++) {
                String entity = "order:" + r.nextInt(5);
                String scope = scopes == 3 ? "tenant-" + (char) ('a' + r.nextInt(3)) : "tenant-" + r.nextInt(scopes);
                byte[] payload = new byte[r.nextInt(maxPayload + 1)];
                r.nextBytes(payload);
                EventId causation = !out.isEmpty() && r.nextInt(3) == 0 ? out.get(r.nextInt(out.size())).pending.eventId() : null;
                EventId correlation = causation != null && r.nextBoolean() ? causation : null;
                IdempotencyKey key = r.nextInt(4) == 0
                        ? IdempotencyKey.of(java.util.UUID.nameUUIDFromBytes(keyPrefix.getBytes(
                                java.nio.charset.StandardCharsets.UTF_8)).getMostSignificantBits(), out.size() + i + 1L)
                        : null;
                List<String> tags = switch (r.nextInt(6)) {
                    case 0 -> List.of("sku:" + r.nextInt(4));
                    case 1 -> List.of("vip", "sku:" + r.nextInt(4));
                    default -> List.of();
                };
                group[i] = build(Coordinate.of(entity, scope), EventKind.of(1 + r.nextInt(0xC), r.nextInt(0x1000)),
                        payload, r.nextInt(256), r.nextInt(0x10000), correlation, causation, key, tags);
            }
            stage(group);
            out.addAll(List.of(group));
            if (++sinceCommit >= 1 + r.nextInt(12)) {
                writer.commit();
                sinceCommit = 0;
            }
        }
        writer.commit();
        return out;
    }

    void checkpoint() throws IOException {
        writer.commit();
        writer.writeCheckpoint();
    }

    @Override
    public void close() throws IOException {
        try {
            writer.commit();
            writer.close();
        } finally {
            core.close();
        }
    }

    // ------------------------------------------------------------------------------------------ checks

    /** Everything a reader can observe about the store, in a comparable form. */
    static List<String> snapshot(StoreCore core) {
        List<String> out = new ArrayList<>();
        EventIndex idx = core.index();
        out.add("visible=" + idx.visible() + " size=" + idx.size() + " entities=" + idx.entityCount()
                + " scopes=" + idx.scopeCount() + " segments=" + core.segments().count());
        for (long g = 0; g <= idx.visible(); g++) {
            StoredEvent e = core.readAt(g);
            out.add(describe(e) + " loc=" + idx.location(g) + " len=" + idx.length(g) + " entityId=" + idx.entityIdAt(g)
                    + " scopeId=" + idx.scopeIdAt(g) + " kindCol=" + idx.kindAt(g) + " seqCol=" + idx.entitySequenceAt(g)
                    + " find=" + idx.find(e.eventId().msb(), e.eventId().lsb()));
        }
        for (int i = 0; i < idx.entityCount(); i++) {
            EntityState s = idx.entityById(i);
            StringBuilder postings = new StringBuilder();
            for (int p = 0; p < s.count(); p++) {
                postings.append(s.globalSequenceAt(p)).append(',');
            }
            out.add("entity " + i + " " + s.name() + " count=" + s.count() + " visible=" + idx.visibleCount(s)
                    + " last=" + HexFormat.of().formatHex(s.lastHash()) + " postings=" + postings);
        }
        for (int i = 0; i < idx.scopeCount(); i++) {
            out.add("scope " + i + " " + idx.scopeName(i));
        }
        for (int i = 0; i < idx.tagCount(); i++) {
            io.batpak.core.internal.index.PostingList p = idx.tagPostings(i);
            StringBuilder postings = new StringBuilder();
            for (int k = 0; k < p.count(); k++) {
                postings.append(p.get(k)).append(',');
            }
            out.add("tag " + i + " " + idx.tagName(i) + " postings=" + postings);
        }
        core.keys().forEachCommitted((m, l, s) -> out.add("key " + m + "/" + l + " -> " + s));
        out.add("keys committed=" + core.keys().committedCount());
        return out;
    }

    static String describe(StoredEvent e) {
        return e.globalSequence() + " " + e.eventId() + " " + e.coordinate() + " kind=" + e.kind() + " seq="
                + e.entitySequence() + " ts=" + e.timestampMicros() + " corr=" + e.correlationId() + " cause="
                + e.causationId().map(EventId::toString).orElse("-") + " flags=" + e.flags() + " pv=" + e.payloadVersion()
                + " prev=" + e.prevHash() + " hash=" + e.eventHash() + " payload="
                + HexFormat.of().formatHex(e.payload());
    }

    /** Checks that every expected event reads back exactly, by id, by global sequence and per entity. */
    static void assertContains(StoreCore core, List<Expected> expected) {
        assertEquals(expected.size() - 1, core.lastGlobalSequence(), "last global sequence");
        Map<String, List<Expected>> byEntity = new LinkedHashMap<>();
        for (int i = 0; i < expected.size(); i++) {
            Expected x = expected.get(i);
            assertEquals(i, x.globalSequence(), "global sequences are gap-free in staging order");
            Optional<StoredEvent> got = core.get(x.pending.eventId());
            assertTrue(got.isPresent(), "event " + i + " not found by id");
            assertMatches(x, got.get());
            assertMatches(x, core.readAt(i));
            byEntity.computeIfAbsent(x.coordinate.entity(), k -> new ArrayList<>()).add(x);
            if (x.pending.idempotencyKey() != null) {
                assertEquals(i, core.keys().committedSequence(x.pending.idempotencyKey()), "key of event " + i);
            }
        }
        for (Map.Entry<String, List<Expected>> en : byEntity.entrySet()) {
            List<StoredEvent> stream = core.readEntity(en.getKey(), 0, Integer.MAX_VALUE);
            List<Expected> want = en.getValue();
            assertEquals(want.size(), stream.size(), "events of " + en.getKey());
            byte[] prev = new byte[32];
            for (int s = 0; s < want.size(); s++) {
                assertMatches(want.get(s), stream.get(s));
                assertEquals(s, stream.get(s).entitySequence());
                assertArrayEquals(prev, stream.get(s).prevHash().toByteArray(), "hash chain of " + en.getKey() + " at " + s);
                prev = stream.get(s).eventHash().toByteArray();
            }
            StoreCore.EntityHead head = core.head(en.getKey());
            assertEquals(want.size() - 1, head.lastSequence());
            assertArrayEquals(prev, head.lastHash());
            if (want.size() > 2) {
                List<StoredEvent> tail = core.readEntity(en.getKey(), want.size() - 2, 10);
                assertEquals(2, tail.size());
                assertEquals(want.get(want.size() - 1).pending.eventId(), tail.get(1).eventId());
            }
        }
    }

    static void assertMatches(Expected x, StoredEvent e) {
        String at = "event " + x.globalSequence();
        assertEquals(x.pending.eventId(), e.eventId(), at);
        assertEquals(x.coordinate, e.coordinate(), at);
        assertEquals(x.kind, e.kind(), at);
        assertEquals(x.pending.entitySequence(), e.entitySequence(), at);
        assertEquals(x.globalSequence(), e.globalSequence(), at);
        assertEquals(x.pending.timestampMicros(), e.timestampMicros(), at);
        assertEquals(x.correlation, e.correlationId(), at);
        assertEquals(Optional.ofNullable(x.causation), e.causationId(), at);
        assertEquals(x.flags, e.flags(), at);
        assertEquals(x.payloadVersion, e.payloadVersion(), at);
        assertEquals(x.tags, e.tags(), at);
        assertEquals(Hash.of(x.prevHash), e.prevHash(), at);
        assertEquals(Hash.of(x.pending.eventHashBytes()), e.eventHash(), at);
        assertArrayEquals(x.payload, e.payload(), at);
        assertEquals(x.pending.receipt(), e.toReceipt(), at);
    }

    /**
     * Recomputes every visible event's hash from its stored frame bytes as the format specifies it,
     * BLAKE3("batpak:event:v2" || bytes[96, payload start) || bytes[64, 96)), checks the digest at [64, 96) is the
     * payload's BLAKE3, and compares.
     */
    static void assertHashesRecompute(StoreCore core) {
        EventIndex idx = core.index();
        for (long g = 0; g <= idx.visible(); g++) {
            long loc = idx.location(g);
            ByteBuffer frame = core.segments().readFrame(EventIndex.segmentOrdinal(loc), EventIndex.segmentOffset(loc),
                    idx.length(g));
            byte[] bytes = new byte[frame.remaining()];
            frame.get(0, bytes);
            int payloadLength = frame.order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(140);
            int payloadStart = bytes.length - payloadLength;
            Blake3Digest p = new Blake3Digest(256);
            p.update(bytes, payloadStart, payloadLength);
            byte[] digest = new byte[32];
            p.doFinal(digest, 0);
            assertArrayEquals(java.util.Arrays.copyOfRange(bytes, 64, 96), digest, "payload digest of event " + g);
            Blake3Digest d = new Blake3Digest(256);
            byte[] domain = "batpak:event:v2".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            d.update(domain, 0, domain.length);
            d.update(bytes, 96, payloadStart - 96);
            d.update(bytes, 64, 32);
            byte[] h = new byte[32];
            d.doFinal(h, 0);
            assertArrayEquals(core.readAt(g).eventHash().toByteArray(), h, "stored hash of event " + g);
        }
    }
}
