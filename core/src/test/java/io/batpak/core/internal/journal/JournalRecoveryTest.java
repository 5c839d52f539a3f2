package io.batpak.core.internal.journal;

import static io.batpak.core.internal.journal.JournalHarness.assertContains;
import static io.batpak.core.internal.journal.JournalHarness.assertHashesRecompute;
import static io.batpak.core.internal.journal.JournalHarness.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.IdempotencyKey;
import io.batpak.core.IoFaultHook;
import io.batpak.core.StoreConfig;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.StoreLockedException;
import io.batpak.core.internal.index.EventIndex;
import io.batpak.core.internal.index.IdempotencyIndex;
import io.batpak.core.internal.index.IndexCheckpoint;
import io.batpak.core.internal.journal.JournalHarness.Expected;
import io.batpak.core.internal.recovery.StoreRecovery;
import io.batpak.core.internal.segment.DurableEnd;
import io.batpak.core.internal.segment.SegmentFiles;
import io.batpak.core.internal.segment.SegmentHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JournalRecoveryTest {
    private static final long SMALL_SEGMENT = 64 * 1024;

    @TempDir
    Path dir;

    private StoreConfig config() {
        return StoreConfig.builder(dir).build();
    }

    private StoreConfig smallSegments() {
        return StoreConfig.builder(dir).segmentMaxBytes(SMALL_SEGMENT).maxPayloadBytes(16 * 1024).build();
    }

    private static StoreRecovery.Report report(StoreCore core) {
        return core.recovered().report();
    }

    private Path checkpointFile() {
        return dir.resolve(IndexCheckpoint.FILE_NAME);
    }

    /** Opens the store, checks it against the expected events and returns its snapshot. */
    private List<String> reopenAndCheck(StoreConfig cfg, List<Expected> expected, boolean fromCheckpoint) {
        try (StoreCore core = StoreCore.open(cfg)) {
            assertEquals(fromCheckpoint, report(core).fromCheckpoint(), () -> "skipped: " + report(core).checkpointSkippedReason());
            assertContains(core, expected);
            assertHashesRecompute(core);
            return snapshot(core);
        }
    }

    @Test
    void reopenWithoutCheckpointRebuildsIdenticalState() throws IOException {
        List<Expected> expected;
        List<String> live;
        try (JournalHarness h = new JournalHarness(config())) {
            assertEquals(-1, h.core.lastGlobalSequence());
            expected = h.appendRandom(new Random(1), 300, 400, "a");
            assertContains(h.core, expected);
            for (Expected x : expected) {
                if (x.claim != null) {
                    assertSame(x.claim, x.pending.claim(), "commit hands back the key's claim object");
                }
            }
            assertEquals(0, h.core.keys().pendingCount());
            live = snapshot(h.core);
        }
        assertFalse(Files.exists(checkpointFile()));
        try (StoreCore core = StoreCore.open(config())) {
            StoreRecovery.Report r = report(core);
            assertFalse(r.fromCheckpoint());
            assertNotNull(r.checkpointSkippedReason());
            assertEquals(300, r.scannedFrames());
            assertEquals(0, r.truncatedTailBytes());
            assertEquals(0, r.repairDroppedBytes());
            assertContains(core, expected);
            assertHashesRecompute(core);
            assertEquals(live, snapshot(core), "a rebuilt index equals the one built while appending");
            assertTrue(core.clock().last() >= expected.get(expected.size() - 1).pending.timestampMicros(),
                    "the clock continues above the newest stored timestamp");
        }
    }

    @Test
    void appendingContinuesAfterReopenOnTheSameChains() throws IOException {
        List<Expected> expected = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            try (JournalHarness h = new JournalHarness(config())) {
                assertEquals(expected.size(), h.writer.nextSequence());
                expected.addAll(h.appendRandom(new Random(10 + round), 60, 200, "r" + round));
                if (round == 1) {
                    h.checkpoint();
                }
            }
            reopenAndCheck(config(), expected, round >= 1);
        }
        assertEquals(1, SegmentFiles.list(dir).size(), "appends after reopen go into the same segment");
        long ts = 0;
        for (Expected x : expected) {
            assertTrue(x.pending.timestampMicros() > ts, "timestamps strictly increase across reopens");
            ts = x.pending.timestampMicros();
        }
    }

    @Test
    void checkpointOpenEqualsFullScan() throws IOException {
        List<Expected> expected;
        List<String> live;
        try (JournalHarness h = new JournalHarness(config())) {
            expected = h.appendRandom(new Random(2), 250, 300, "b");
            h.checkpoint();
            live = snapshot(h.core);
        }
        assertTrue(Files.exists(checkpointFile()));
        List<String> fromCheckpoint;
        try (StoreCore core = StoreCore.open(config())) {
            StoreRecovery.Report r = report(core);
            assertTrue(r.fromCheckpoint());
            assertNull(r.checkpointSkippedReason());
            assertEquals(0, r.scannedFrames(), "nothing after the checkpoint to scan");
            assertContains(core, expected);
            fromCheckpoint = snapshot(core);
        }
        Files.delete(checkpointFile());
        List<String> fullScan = reopenAndCheck(config(), expected, false);
        assertEquals(fullScan, fromCheckpoint, "same events, order, hashes, postings, scopes and keys");
        assertEquals(live, fullScan);
    }

    @Test
    void checkpointOpenEqualsFullScanWhenOneIndexChunkSpansHundredsOfSegmentsAndScopes() throws IOException {
        // The index holds a chunk's segment ordinals and scope ids as one byte above a base while they fit: here
        // they do not (more than 255 of each within the first 4,096 rows), so both columns are held as ints.
        List<Expected> expected;
        List<String> live;
        try (JournalHarness h = new JournalHarness(smallSegments())) {
            expected = h.appendRandom(new Random(7), 2_500, 16 * 1024, "w", 400);
            h.checkpoint();
            assertTrue(h.core.segments().count() > 300, "segments: " + h.core.segments().count());
            assertTrue(h.core.index().scopeCount() > 300, "scopes: " + h.core.index().scopeCount());
            live = snapshot(h.core);
        }
        List<String> fromCheckpoint;
        try (StoreCore core = StoreCore.open(smallSegments())) {
            assertTrue(report(core).fromCheckpoint(), () -> "skipped: " + report(core).checkpointSkippedReason());
            assertContains(core, expected);
            fromCheckpoint = snapshot(core);
        }
        Files.delete(checkpointFile());
        assertEquals(reopenAndCheck(smallSegments(), expected, false), fromCheckpoint);
        assertEquals(live, fromCheckpoint);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void checkpointNeverHidesDataWrittenAfterIt(boolean rotateAfterCheckpoint) throws IOException {
        StoreConfig cfg = rotateAfterCheckpoint ? smallSegments() : config();
        List<Expected> expected = new ArrayList<>();
        int segmentsAtCheckpoint;
        try (JournalHarness h = new JournalHarness(cfg)) {
            expected.addAll(h.appendRandom(new Random(3), 100, 300, "c1"));
            h.checkpoint();
            segmentsAtCheckpoint = h.core.segments().count();
            expected.addAll(h.appendRandom(new Random(4), rotateAfterCheckpoint ? 250 : 80, 600, "c2"));
            if (rotateAfterCheckpoint) {
                assertTrue(h.core.segments().count() > segmentsAtCheckpoint + 1, "the later events span new segments");
            }
        }
        int after = expected.size() - 100;
        List<String> fromCheckpoint;
        try (StoreCore core = StoreCore.open(cfg)) {
            StoreRecovery.Report r = report(core);
            assertTrue(r.fromCheckpoint(), () -> "checkpoint was skipped: " + r.checkpointSkippedReason());
            assertEquals(after, r.scannedFrames(), "exactly the events after the checkpoint are scanned");
            assertContains(core, expected);
            assertHashesRecompute(core);
            fromCheckpoint = snapshot(core);
        }
        Files.delete(checkpointFile());
        assertEquals(reopenAndCheck(cfg, expected, false), fromCheckpoint);
    }

    /** Ways to damage a checkpoint file; each must make the open fall back to a full scan. */
    enum Damage { BODY_BYTE, MAGIC_BYTE, CRC_BYTE, LENGTH_FIELD, TRUNCATED, TRAILING_BYTE, EMPTY }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Damage.class)
    void damagedCheckpointFallsBackToAFullScanWithTheSameResult(Damage damage) throws IOException {
        List<Expected> expected;
        try (JournalHarness h = new JournalHarness(config())) {
            expected = h.appendRandom(new Random(5), 150, 200, "d");
            h.checkpoint();
        }
        List<String> good = reopenAndCheck(config(), expected, true);
        byte[] ckpt = Files.readAllBytes(checkpointFile());
        byte[] bad = switch (damage) {
            case BODY_BYTE -> flip(ckpt, 24 + (ckpt.length - 24) / 2);
            case MAGIC_BYTE -> flip(ckpt, 3);
            case CRC_BYTE -> flip(ckpt, 13);
            case LENGTH_FIELD -> flip(ckpt, 16);
            case TRUNCATED -> Arrays.copyOf(ckpt, ckpt.length - 5);
            case TRAILING_BYTE -> Arrays.copyOf(ckpt, ckpt.length + 1);
            case EMPTY -> new byte[0];
        };
        Files.write(checkpointFile(), bad);
        try (StoreCore core = StoreCore.open(config())) {
            StoreRecovery.Report r = report(core);
            assertFalse(r.fromCheckpoint());
            assertNotNull(r.checkpointSkippedReason());
            assertEquals(150, r.scannedFrames());
            assertContains(core, expected);
            assertEquals(good, snapshot(core));
        }
        assertFalse(Files.exists(checkpointFile()), "an untrusted checkpoint is removed");
    }

    @Test
    void checkpointCoveringMoreThanTheSegmentHoldsIsNotTrusted() throws IOException {
        // A checkpoint that covers bytes the segment no longer has is stale: it must not be used.
        List<Expected> expected;
        try (JournalHarness h = new JournalHarness(config())) {
            expected = h.appendRandom(new Random(6), 40, 100, "e");
            h.checkpoint();
            expected.addAll(h.appendRandom(new Random(7), 10, 100, "e2"));
        }
        long covered = ckptCovered();
        Path seg = SegmentFiles.list(dir).get(0);
        byte[] bytes = Files.readAllBytes(seg);
        assertTrue(covered > SegmentHeader.LENGTH && covered < bytes.length);
        // Cut the segment back below what the checkpoint covers: the checkpoint must not be used.
        int firstFrameEnd = SegmentHeader.LENGTH + ByteBuffer.wrap(bytes, SegmentHeader.LENGTH, 4)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt() + 8;
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.truncate(firstFrameEnd);
        }
        // Acknowledged data is gone: with the durable-end mark in place that is refused, and nothing is changed.
        Map<String, String> picture = Tamper.picture(dir);
        assertThrows(CorruptStoreException.class, () -> StoreCore.open(config()));
        assertEquals(picture, Tamper.picture(dir), "the refused open changed no file");
        // Without the mark (lost, or a store that never had one) only the checkpoint's trust is in question.
        Files.delete(dir.resolve(DurableEnd.FILE_NAME));
        List<Expected> now = new ArrayList<>(expected.subList(0, 1));
        try (JournalHarness h = new JournalHarness(config())) {
            assertFalse(report(h.core).fromCheckpoint());
            assertTrue(report(h.core).checkpointSkippedReason().contains("checkpoint covers"),
                    report(h.core).checkpointSkippedReason());
            assertContains(h.core, now);
            // Append past the length the rejected checkpoint covered, then stop without a new checkpoint.
            now.addAll(h.appendRandom(new Random(8), 60, 100, "e3"));
        }
        assertTrue(Files.size(seg) > covered, "the segment grew past the old covered length");
        // The rejected checkpoint describes other data: it must never be trusted again.
        reopenAndCheck(config(), now, false);
    }

    @Test
    void checkpointLeftWithoutAnySegmentIsNeverTrusted() throws IOException {
        try (JournalHarness h = new JournalHarness(config())) {
            h.appendRandom(new Random(21), 30, 100, "m");
            h.checkpoint();
        }
        long covered = ckptCovered();
        for (Path p : SegmentFiles.list(dir)) {
            Files.delete(p);
        }
        CorruptStoreException gone = assertThrows(CorruptStoreException.class, () -> StoreCore.open(config()),
                "the durable-end mark records events that no segment holds");
        assertTrue(gone.getMessage().contains("no segment file"), gone.getMessage());
        Files.delete(dir.resolve(DurableEnd.FILE_NAME));
        List<Expected> now;
        try (JournalHarness h = new JournalHarness(config())) {
            assertEquals(-1, h.core.lastGlobalSequence(), "no segments: an empty store");
            now = h.appendRandom(new Random(22), 60, 150, "m2");
        }
        assertTrue(Files.size(SegmentFiles.list(dir).get(0)) > covered);
        reopenAndCheck(config(), now, false);
    }

    /** The covered length of the first segment in the checkpoint (the first segment entry of its body). */
    private long ckptCovered() throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(checkpointFile())).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        return b.getLong(24 + 4 + 8);
    }

    @Test
    void checkpointWithAnotherFormatVersionIsIgnoredAndTheSegmentsScanned() throws IOException {
        List<Expected> expected;
        try (JournalHarness h = new JournalHarness(config())) {
            expected = h.appendRandom(new Random(8), 30, 100, "f");
            h.checkpoint();
        }
        byte[] ckpt = Files.readAllBytes(checkpointFile());
        // A newer version (with a matching checksum, as a newer release would write it) and a damaged version field.
        for (boolean damaged : new boolean[] {false, true}) {
            byte[] other = ckpt.clone();
            other[8] = 9;
            other[9] = 0;
            if (!damaged) {
                rechecksumCheckpoint(other);
            }
            Files.write(checkpointFile(), other);
            try (StoreCore core = StoreCore.open(config())) {
                StoreRecovery.Report r = core.recovered().report();
                assertFalse(r.fromCheckpoint(), "damaged=" + damaged);
                assertTrue(r.checkpointSkippedReason().contains(damaged ? "checksum" : "format version 9"),
                        r.checkpointSkippedReason());
                assertContains(core, expected);
            }
        }
        Files.write(checkpointFile(), ckpt);
        reopenAndCheck(config(), expected, true);
    }

    /** Recomputes an index checkpoint's CRC32C (body, then header bytes 0..11 and 16..23) after an edit. */
    static void rechecksumCheckpoint(byte[] ckpt) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(ckpt, 24, ckpt.length - 24);
        crc.update(ckpt, 0, 12);
        crc.update(ckpt, 16, 8);
        ByteBuffer.wrap(ckpt).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(12, (int) crc.getValue());
    }

    @Test
    void segmentRotationProducesSeveralSegmentsThatAllReadBack() throws IOException {
        StoreConfig cfg = smallSegments();
        List<Expected> expected;
        try (JournalHarness h = new JournalHarness(cfg)) {
            expected = h.appendRandom(new Random(9), 500, 2000, "g");
            // A group of large events never spans two segments either.
            Random r = new Random(10);
            for (int i = 0; i < 5; i++) {
                Expected[] big = new Expected[3];
                for (int j = 0; j < 3; j++) {
                    big[j] = h.simple("big:" + i, "s", 12 * 1024, r);
                }
                h.stage(big);
                h.writer.commit();
                expected.addAll(List.of(big));
            }
            h.checkpoint();
        }
        List<Path> segments = SegmentFiles.list(dir);
        assertTrue(segments.size() >= 5, "expected several segments, got " + segments.size());
        List<String> fromCheckpoint;
        try (StoreCore core = StoreCore.open(cfg)) {
            assertTrue(report(core).fromCheckpoint());
            assertContains(core, expected);
            assertEquals(segments.size(), core.segments().count());
            EventIndex idx = core.index();
            int lastOrdinal = 0;
            for (long g = 0; g <= idx.visible(); g++) {
                int ordinal = EventIndex.segmentOrdinal(idx.location(g));
                assertTrue(ordinal == lastOrdinal || ordinal == lastOrdinal + 1, "segments are filled in order");
                if (ordinal != lastOrdinal) {
                    assertEquals(g, core.segments().segment(ordinal).firstGlobalSequence());
                }
                lastOrdinal = ordinal;
            }
            assertGroupsWithinOneSegment(core, expected);
            fromCheckpoint = snapshot(core);
        }
        for (int i = 0; i < segments.size(); i++) {
            Path p = segments.get(i);
            assertTrue(Files.size(p) <= SMALL_SEGMENT, p + " is " + Files.size(p) + " bytes");
            ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(p), 0, SegmentHeader.LENGTH).slice();
            assertEquals(SegmentFiles.parse(p.getFileName().toString()), SegmentHeader.decode(header, p).firstGlobalSequence());
        }
        Files.delete(checkpointFile());
        assertEquals(reopenAndCheck(cfg, expected, false), fromCheckpoint);
    }

    private static void assertGroupsWithinOneSegment(StoreCore core, List<Expected> expected) {
        // Frames of one atomic group carry the group size; consecutive members must share a segment.
        EventIndex idx = core.index();
        for (long g = 0; g <= idx.visible(); g++) {
            ByteBuffer frame = core.segments().readFrame(EventIndex.segmentOrdinal(idx.location(g)),
                    EventIndex.segmentOffset(idx.location(g)), idx.length(g));
            int count = frame.getInt(16);
            int index = frame.getInt(20);
            if (index > 0) {
                assertEquals(EventIndex.segmentOrdinal(idx.location(g - 1)), EventIndex.segmentOrdinal(idx.location(g)),
                        "group member " + index + "/" + count + " at " + g + " is in another segment");
            }
        }
        assertEquals(expected.size() - 1, idx.visible());
    }

    /** Fault hook that fails the next {@code n} segment writes or forces. */
    private static final class Faults implements IoFaultHook {
        final AtomicInteger failWrites = new AtomicInteger();
        final AtomicInteger failForces = new AtomicInteger();
        final AtomicLong sizeAtFailedForce = new AtomicLong(-1);
        volatile Path dataDir;

        @Override
        public void beforeWrite(String segmentFile, long position, int length) throws IOException {
            if (segmentFile.endsWith(SegmentFiles.SUFFIX) && failWrites.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IOException("injected write failure at " + position);
            }
        }

        @Override
        public void beforeForce(String segmentFile) throws IOException {
            if (segmentFile.endsWith(SegmentFiles.SUFFIX) && failForces.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                sizeAtFailedForce.set(Files.size(SegmentFiles.directory(dataDir).resolve(segmentFile)));
                throw new IOException("injected force failure");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void failedCommitIsRolledBackAndTheNextCommitReusesTheSequence(boolean failForce) throws IOException {
        Faults faults = new Faults();
        faults.dataDir = dir;
        StoreConfig cfg = StoreConfig.builder(dir).ioFaultHook(faults).build();
        List<Expected> expected = new ArrayList<>();
        Random r = new Random(11);
        try (JournalHarness h = new JournalHarness(cfg)) {
            expected.addAll(h.appendRandom(r, 20, 100, "h"));
            Path segment = SegmentFiles.list(dir).get(0);
            long sizeBefore = Files.size(segment);
            long visibleBefore = h.core.lastGlobalSequence();
            long next = h.writer.nextSequence();
            List<String> before = snapshot(h.core);

            IdempotencyKey key = IdempotencyKey.of(77, 88);
            Expected a = h.simple("order:0", "tenant-a", 50, r);
            Expected b = h.build(a.coordinate, a.kind, new byte[] {1, 2, 3}, 0, 0, null, null, key);
            Expected c = h.simple("order:9", "tenant-z", 10, r);
            h.stage(a, b);
            h.stage(c);
            assertEquals(3, h.writer.stagedCount());
            if (failForce) {
                faults.failForces.set(1);
            } else {
                faults.failWrites.set(1);
            }
            IOException e = assertThrows(IOException.class, h.writer::commit);
            assertTrue(e.getMessage().startsWith("injected"), e.getMessage());

            assertEquals(visibleBefore, h.core.lastGlobalSequence(), "nothing became visible");
            assertEquals(next, h.core.index().size(), "nothing was indexed");
            for (Expected x : List.of(a, b, c)) {
                assertTrue(h.core.get(x.pending.eventId()).isEmpty());
            }
            assertNull(h.core.index().findEntity("order:9"), "a new entity of the failed commit is not created");
            assertEquals(-1, h.core.keys().committedSequence(key));
            assertEquals(sizeBefore, Files.size(segment), "the segment is truncated back");
            if (failForce) {
                assertTrue(faults.sizeAtFailedForce.get() > sizeBefore, "the frames had been written before the force");
            }
            assertEquals(next, h.writer.nextSequence());
            assertEquals(0, h.writer.stagedCount());
            assertEquals(3, h.writer.failedAppends());
            assertEquals(before, snapshot(h.core));

            // The same events (built on the same heads) go in with the same global sequences.
            h.stage(a, b);
            h.stage(c);
            h.writer.commit();
            assertEquals(next, a.globalSequence());
            assertEquals(next + 1, b.globalSequence());
            assertEquals(next + 2, c.globalSequence());
            assertSame(b.claim, b.pending.claim());
            expected.addAll(List.of(a, b, c));
            assertContains(h.core, expected);
            expected.addAll(h.appendRandom(r, 10, 100, "h2"));
        }
        reopenAndCheck(config(), expected, false);
    }

    @Test
    void tornTailIsCutBackOnReopenAndAppendingContinues() throws IOException {
        List<Expected> expected;
        try (JournalHarness h = new JournalHarness(config())) {
            expected = h.appendRandom(new Random(12), 50, 200, "i");
        }
        Path seg = SegmentFiles.list(dir).get(0);
        long good = Files.size(seg);
        // A crash in the middle of a write: the first part of a frame (a copy of the last one) is on disk.
        byte[] all = Files.readAllBytes(seg);
        byte[] partial = Arrays.copyOfRange(all, SegmentHeader.LENGTH, SegmentHeader.LENGTH + 100);
        Files.write(seg, partial, StandardOpenOption.APPEND);
        try (JournalHarness h = new JournalHarness(config())) {
            StoreRecovery.Report r = report(h.core);
            assertEquals(100, r.truncatedTailBytes());
            assertEquals(good, Files.size(seg), "the torn tail is cut off the file");
            assertContains(h.core, expected);
            expected.addAll(h.appendRandom(new Random(13), 10, 200, "i2"));
        }
        reopenAndCheck(config(), expected, false);
    }

    @Test
    void damageBeforeTheTailIsRefusedAndRepairCutsFromThere() throws IOException {
        List<Expected> expected;
        try (JournalHarness h = new JournalHarness(config())) {
            expected = h.appendRandom(new Random(14), 40, 200, "j");
        }
        long offset;
        int length;
        long groupStart;
        try (StoreCore core = StoreCore.open(config())) {
            EventIndex idx = core.index();
            offset = EventIndex.segmentOffset(idx.location(20));
            length = idx.length(20);
            ByteBuffer frame = core.segments().readFrame(EventIndex.segmentOrdinal(idx.location(20)), (int) offset, length);
            groupStart = 20 - frame.getInt(20);  // batchIndex: repair keeps only whole atomic groups
        }
        Path seg = SegmentFiles.list(dir).get(0);
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            long at = offset + length - 1;
            ch.read(one, at);
            one.put(0, (byte) (one.get(0) ^ 0x55)).rewind();
            ch.write(one, at);
        }
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> StoreCore.open(config()));
        assertEquals(offset, e.offset());
        assertEquals(seg, e.file());
        assertThrows(CorruptStoreException.class, () -> StoreCore.open(config()), "refused again: nothing was changed");

        StoreConfig repair = StoreConfig.builder(dir).repair(true).build();
        try (StoreCore core = StoreCore.open(repair)) {
            assertTrue(report(core).repairDroppedBytes() > 0);
            long last = core.lastGlobalSequence();
            assertEquals(groupStart - 1, last, "repair keeps the complete groups before the damaged frame");
            for (long g = 0; g <= last; g++) {
                JournalHarness.assertMatches(expected.get((int) g), core.readAt(g));
            }
        }
    }

    @Test
    void reusedIdempotencyKeyIsRecoveredAtItsNewSequence() throws IOException {
        StoreConfig cfg = StoreConfig.builder(dir).idempotencyWindow(10).build();
        IdempotencyKey key = IdempotencyKey.of(0xFEED, 1);
        Random r = new Random(15);
        try (JournalHarness h = new JournalHarness(cfg)) {
            Expected first = h.build(io.batpak.core.Coordinate.of("acct:1", "s"), io.batpak.core.EventKind.of(1, 1),
                    new byte[] {1}, 0, 0, null, null, key);
            h.stage(first);
            h.writer.commit();
            assertEquals(0, h.core.keys().committedSequence(key));
            for (int i = 0; i < 19; i++) {
                h.stage(h.simple("acct:2", "s", 5, r));
            }
            h.writer.commit();
        }
        try (JournalHarness h = new JournalHarness(cfg)) {
            assertEquals(-1, h.core.keys().committedSequence(key), "sequence 0 left the window 10..19");
            Expected again = h.build(io.batpak.core.Coordinate.of("acct:1", "s"), io.batpak.core.EventKind.of(1, 1),
                    new byte[] {2}, 0, 0, null, null, key);
            h.stage(again);
            h.writer.commit();
            assertEquals(20, again.globalSequence());
            assertEquals(20, h.core.keys().committedSequence(key));
        }
        try (StoreCore core = StoreCore.open(cfg)) {
            assertFalse(report(core).fromCheckpoint());
            assertEquals(20, core.keys().committedSequence(key), "a retry now must find the event at 20");
            assertEquals(new IdempotencyIndex.Stored(20), core.keys().claim(key, new IdempotencyIndex.Holder() { }));
        }
        try (JournalHarness h = new JournalHarness(cfg)) {
            h.checkpoint();
        }
        try (StoreCore core = StoreCore.open(cfg)) {
            assertTrue(report(core).fromCheckpoint());
            assertEquals(20, core.keys().committedSequence(key));
            assertEquals(1, core.keys().committedCount());
        }
    }

    @Test
    void headerOnlySegmentIsReusedAndASegmentCutDuringCreationIsRemoved() throws IOException {
        List<Expected> expected;
        try (JournalHarness h = new JournalHarness(config())) {
            expected = h.appendRandom(new Random(18), 20, 100, "l");
            h.writer.rotate();
        }
        List<Path> segs = SegmentFiles.list(dir);
        assertEquals(2, segs.size());
        assertEquals(SegmentFiles.fileName(20), segs.get(1).getFileName().toString());
        assertEquals(SegmentHeader.LENGTH, Files.size(segs.get(1)));
        try (JournalHarness h = new JournalHarness(config())) {
            assertEquals(0, report(h.core).truncatedTailBytes());
            assertContains(h.core, expected);
            expected.addAll(h.appendRandom(new Random(19), 5, 100, "l2"));
            assertEquals(1, EventIndex.segmentOrdinal(h.core.index().location(20)), "the empty segment is appended to");
        }
        // A crash while the next segment was being created: its file holds part of a header only.
        Path partial = SegmentFiles.directory(dir).resolve(SegmentFiles.fileName(25));
        Files.write(partial, Arrays.copyOf(new SegmentHeader(25, 1).encode().array(), 10));
        try (JournalHarness h = new JournalHarness(config())) {
            assertEquals(10, report(h.core).truncatedTailBytes());
            assertContains(h.core, expected);
            assertEquals(SegmentHeader.LENGTH, Files.size(partial), "the writer created the segment again");
            expected.addAll(h.appendRandom(new Random(20), 5, 100, "l3"));
            assertEquals(2, EventIndex.segmentOrdinal(h.core.index().location(25)));
        }
        assertEquals(3, SegmentFiles.list(dir).size());
        reopenAndCheck(config(), expected, false);
    }

    @Test
    void secondOpenOfTheSameDirectoryIsRefusedUntilClosed() throws IOException {
        try (JournalHarness h = new JournalHarness(config())) {
            h.stage(h.simple("x", "y", 1, new Random(16)));
            assertThrows(StoreLockedException.class, () -> StoreCore.open(config()));
        }
        try (StoreCore core = StoreCore.open(config())) {
            assertEquals(0, core.lastGlobalSequence());
        }
    }

    @Test
    void idempotencyKeysSurviveReopenBothWays() throws IOException {
        List<Expected> expected;
        try (JournalHarness h = new JournalHarness(config())) {
            expected = h.appendRandom(new Random(17), 120, 50, "k");
            h.checkpoint();
        }
        long keyed = expected.stream().filter(x -> x.pending.idempotencyKey() != null).count();
        assertTrue(keyed > 10);
        for (boolean fromCheckpoint : new boolean[] {true, false}) {
            if (!fromCheckpoint) {
                Files.delete(checkpointFile());
            }
            try (StoreCore core = StoreCore.open(config())) {
                assertEquals(keyed, core.keys().committedCount());
                for (Expected x : expected) {
                    if (x.pending.idempotencyKey() != null) {
                        IdempotencyIndex.Claim r = core.keys().claim(x.pending.idempotencyKey(),
                                new IdempotencyIndex.Holder() { });
                        assertEquals(new IdempotencyIndex.Stored(x.globalSequence()), r);
                    }
                }
                assertSame(IdempotencyIndex.Granted.INSTANCE, core.keys().claim(IdempotencyKey.of(1, 1),
                        new IdempotencyIndex.Holder() { }));
            }
        }
    }

    private static byte[] flip(byte[] bytes, int at) {
        byte[] out = bytes.clone();
        out[at] ^= 0x01;
        return out;
    }
}
