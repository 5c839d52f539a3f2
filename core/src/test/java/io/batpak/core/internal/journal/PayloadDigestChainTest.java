package io.batpak.core.internal.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.Hash;
import io.batpak.core.IntegrityBreak.Reason;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.ReceiptVerification.Outcome;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.VerifyReport;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.UnsupportedFormatException;
import io.batpak.core.internal.index.IndexCheckpoint;
import io.batpak.core.internal.journal.JournalHarness.Expected;
import io.batpak.core.internal.segment.DurableEnd;
import io.batpak.core.internal.segment.FrameLayout;
import io.batpak.core.internal.segment.FrameView;
import io.batpak.core.internal.segment.SegmentFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Format version 2: the chain covers tags and the payload's digest, a redacted payload (bytes removed, digest kept)
 * leaves every hash and the chain intact, and version-1 stores are refused.
 */
class PayloadDigestChainTest {
    private static final EventKind KIND = EventKind.of(1, 1);

    @TempDir
    Path dir;

    private StoreConfig config() {
        return StoreConfig.builder(dir).segmentMaxBytes(64 * 1024).maxPayloadBytes(16 * 1024).checkpointOnClose(false).build();
    }

    /** 120 events of 3 entities with tags and payloads, over several segments. */
    private List<Expected> build() throws IOException {
        List<Expected> out = new ArrayList<>();
        try (JournalHarness h = new JournalHarness(config())) {
            for (int i = 0; i < 120; i++) {
                byte[] payload = new byte[700 + i];
                Arrays.fill(payload, (byte) i);
                Expected x = h.build(Coordinate.of("doc:" + (i % 3), "s"), KIND, payload, 0, 0, null, null, null,
                        i % 2 == 0 ? List.of("person:" + (i % 5), "pii") : List.of());
                h.stage(x);
                h.writer.commit();
                out.add(x);
            }
        }
        return out;
    }

    /** A tagged frame in the first, sealed segment whose entity has later events. */
    private Tamper.Frame victim() throws IOException {
        List<Tamper.Frame> first = Tamper.frames(SegmentFiles.list(dir).get(0));
        return first.stream().filter(f -> f.globalSequence() == 6).findFirst().orElseThrow();
    }

    @Test
    void changingATagBreaksTheEventHash() throws IOException {
        build();
        Tamper.Frame f = victim();
        Tamper.edit(f, frame -> {
            FrameView v = new FrameView().wrap(frame, 0);
            int tagStart = FrameLayout.VARIABLE_OFFSET + v.entityLength() + v.scopeLength() + FrameLayout.TAG_LENGTH_PREFIX;
            frame.put(tagStart, (byte) (frame.get(tagStart) ^ 0x01)); // "person:1" -> "qerson:1"
        });
        try (ReadOnlyStore ro = ReadOnlyStore.open(config())) {
            VerifyReport r = ro.verify();
            assertEquals(Reason.EVENT_HASH, r.firstBreak().reason(), r::toString);
            assertEquals(6, r.firstBreak().globalSequence());
        }
    }

    @Test
    void aRedactedPayloadKeepsTheChainAndEveryHashAndVerifies() throws IOException {
        List<Expected> expected = build();
        Map<String, String> before = Tamper.picture(dir);
        Tamper.Frame f = victim();
        Expected x = expected.get((int) f.globalSequence());
        redact(f);
        // Recovery relies on frame lengths, not on the old checkpoint or durable-end mark.
        Files.deleteIfExists(dir.resolve(IndexCheckpoint.FILE_NAME));
        Files.deleteIfExists(dir.resolve(DurableEnd.FILE_NAME));
        Map<String, String> after = Tamper.picture(dir);
        for (Path seg : SegmentFiles.list(dir).subList(1, SegmentFiles.list(dir).size())) {
            String name = dir.relativize(seg).toString();
            assertEquals(before.get(name), after.get(name), "other segments are byte for byte the same: " + name);
        }

        try (StoreCore core = StoreCore.open(config())) {
            StoredEvent e = core.readAt(f.globalSequence());
            assertTrue(e.payloadRedacted());
            assertEquals(0, e.payloadLength());
            assertEquals(Hash.blake3(x.payload), e.payloadDigest(), "the digest is kept");
            assertEquals(Hash.of(x.pending.eventHashBytes()), e.eventHash(), "the hash is unchanged");
            assertEquals(x.tags, e.tags());
            VerifyReport r = core.verify();
            assertTrue(r.ok(), r::toString);
            assertEquals(expected.size(), r.events());
            assertTrue(core.verifyEntity(f.entity()).ok());
            StoredEvent last = core.readEntity(f.entity(), 0, Integer.MAX_VALUE).get(39);
            assertEquals(40, core.walkAncestors(last.eventId(), Integer.MAX_VALUE).size(), "the walk passes it");
            assertEquals(Outcome.UNSIGNED, core.verifyReceipt(x.pending.receipt()).outcome());
            for (Expected other : expected) {
                if (other != x) {
                    assertArrayEquals(other.payload, core.readAt(other.globalSequence()).payload());
                }
            }
            assertEquals(30, core.query(Region.tag("pii"), -1, 1000).stream().filter(s -> s.globalSequence() < 60).count());
        }
    }

    /** Rewrites the frame as redacted: payload bytes removed, payload state 1, new length and checksum. */
    private static void redact(Tamper.Frame f) throws IOException {
        byte[] file = Files.readAllBytes(f.file());
        ByteBuffer frame = ByteBuffer.wrap(file, (int) f.offset(), f.size()).slice().order(ByteOrder.LITTLE_ENDIAN);
        FrameView v = new FrameView().wrap(frame, 0);
        int keep = v.payloadOffset();
        ByteBuffer redacted = ByteBuffer.allocate(keep).order(ByteOrder.LITTLE_ENDIAN);
        redacted.put(0, file, (int) f.offset(), keep);
        redacted.putInt(FrameLayout.LENGTH_OFFSET, keep - FrameLayout.PREFIX_LENGTH);
        redacted.put(FrameLayout.PAYLOAD_STATE_OFFSET, FrameLayout.PAYLOAD_REDACTED);
        CRC32C crc = new CRC32C();
        crc.update(redacted.array(), FrameLayout.PREFIX_LENGTH, keep - FrameLayout.PREFIX_LENGTH);
        redacted.putInt(FrameLayout.CRC_OFFSET, (int) crc.getValue());
        assertNull(new FrameView().wrap(redacted, 0).validate());
        byte[] out = new byte[file.length - (f.size() - keep)];
        System.arraycopy(file, 0, out, 0, (int) f.offset());
        System.arraycopy(redacted.array(), 0, out, (int) f.offset(), keep);
        System.arraycopy(file, (int) f.offset() + f.size(), out, (int) f.offset() + keep,
                file.length - (int) f.offset() - f.size());
        Files.write(f.file(), out);
    }

    @Test
    void aRedactedFrameThatStillCarriesBytesIsMalformed() throws IOException {
        build();
        Tamper.Frame f = victim();
        Tamper.edit(f, frame -> frame.put(FrameLayout.PAYLOAD_STATE_OFFSET, FrameLayout.PAYLOAD_REDACTED));
        // Inside a sealed segment it is damage, never an event: both opens refuse it, naming where.
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> ReadOnlyStore.open(config()));
        assertEquals(f.offset(), e.offset());
        assertTrue(e.reason().contains("does not match its parts"), e.reason());
        assertEquals(f.offset(), assertThrows(CorruptStoreException.class, () -> StoreCore.open(config())).offset());
    }

    @Test
    void aVersionOneStoreIsRefusedNamingTheVersionAndLeftAsItIs() throws IOException {
        build();
        Path seg = SegmentFiles.list(dir).get(0);
        byte[] b = Files.readAllBytes(seg);
        ByteBuffer header = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        header.putShort(8, (short) 1);
        CRC32C crc = new CRC32C();
        crc.update(b, 0, 60);
        header.putInt(60, (int) crc.getValue());
        Files.write(seg, b);
        Map<String, String> before = Tamper.picture(dir);
        UnsupportedFormatException e = assertThrows(UnsupportedFormatException.class, () -> StoreCore.open(config()));
        assertEquals(1, e.foundVersion());
        assertTrue(e.getMessage().contains("format version 1"), e.getMessage());
        assertThrows(UnsupportedFormatException.class, () -> ReadOnlyStore.open(config()));
        assertEquals(before, Tamper.picture(dir), "a refused open changes nothing");
    }
}
