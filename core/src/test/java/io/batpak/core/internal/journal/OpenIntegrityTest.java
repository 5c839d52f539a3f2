package io.batpak.core.internal.journal;

import static io.batpak.core.internal.journal.JournalHarness.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.StoreConfig;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.internal.index.IndexCheckpoint;
import io.batpak.core.internal.journal.JournalHarness.Expected;
import io.batpak.core.internal.recovery.StoreRecovery;
import io.batpak.core.internal.segment.SegmentFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rules of open: a refused open changes no byte of the directory; a damaged checkpoint means "scan instead",
 * never "refuse"; damage below the recorded durable end is corruption, never a silently cut torn tail.
 */
class OpenIntegrityTest {
    @TempDir
    Path dir;

    private StoreConfig config(boolean repair) {
        return StoreConfig.builder(dir).segmentMaxBytes(64 * 1024).maxPayloadBytes(4096).repair(repair).build();
    }

    private List<Expected> storeWithCheckpoint() throws IOException {
        List<Expected> expected;
        try (JournalHarness h = new JournalHarness(config(false))) {
            expected = h.appendRandom(new Random(11), 600, 300, "k");
            h.checkpoint();
        }
        assertTrue(SegmentFiles.list(dir).size() >= 3, "several segments");
        assertTrue(Files.exists(dir.resolve(IndexCheckpoint.FILE_NAME)));
        return expected;
    }

    private static void truncateBy(Path file, long bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - bytes);
        }
    }

    private static void flipBit(Path file, long offset, int bit) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[(int) offset] ^= (byte) (1 << bit);
        Files.write(file, b);
    }

    @ParameterizedTest
    @ValueSource(ints = {7, 31, 120, 200})
    void aRefusedOpenLeavesTheDirectoryByteForByteAsItWas(int cut) throws IOException {
        storeWithCheckpoint();
        truncateBy(SegmentFiles.list(dir).get(0), cut);
        Map<String, String> before = Tamper.picture(dir);
        assertThrows(CorruptStoreException.class, () -> StoreCore.open(config(false)));
        assertEquals(before, Tamper.picture(dir), "the refused open changed, created or removed no file");
        assertThrows(CorruptStoreException.class, () -> StoreCore.openReadOnly(config(false)));
        assertEquals(before, Tamper.picture(dir));
    }

    @Test
    void everyBitFlipInTheCheckpointHeaderMeansScanInsteadEvenWithRepairOn() throws IOException {
        List<Expected> expected = storeWithCheckpoint();
        Path ckpt = dir.resolve(IndexCheckpoint.FILE_NAME);
        byte[] pristine = Files.readAllBytes(ckpt);
        for (boolean repair : new boolean[] {false, true}) {
            for (int offset = 0; offset < 24; offset++) {
                for (int bit = 0; bit < 8; bit++) {
                    Files.write(ckpt, pristine);
                    flipBit(ckpt, offset, bit);
                    try (StoreCore core = StoreCore.open(config(repair))) {
                        StoreRecovery.Report r = core.recovered().report();
                        String what = "bit " + bit + " of byte " + offset + ", repair " + repair;
                        assertFalse(r.fromCheckpoint(), what);
                        assertEquals(0, r.repairDroppedBytes(), what + ": nothing was damaged but the checkpoint");
                        assertEquals(expected.size() - 1, core.lastGlobalSequence(), what);
                    }
                }
            }
        }
        try (StoreCore core = StoreCore.open(config(false))) {
            assertContains(core, expected);
        }
    }

    @Test
    void anUnreadableCheckpointMeansScanInstead() throws IOException {
        List<Expected> expected = storeWithCheckpoint();
        Path ckpt = dir.resolve(IndexCheckpoint.FILE_NAME);
        Files.delete(ckpt);
        Files.createDirectory(ckpt); // exists, but cannot be read as a file
        try (StoreCore core = StoreCore.open(config(false))) {
            assertFalse(core.recovered().report().fromCheckpoint());
            assertContains(core, expected);
        }
    }

    /**
     * A bit flipped in the newest segment's last frames, opened without a checkpoint: every one of those events was
     * acknowledged as durable, so this is corruption (refused, or repaired with a report), never a torn tail.
     */
    @Test
    void damageBelowTheDurableEndIsCorruptionNotATornTail() throws IOException {
        List<Expected> expected;
        try (JournalHarness h = new JournalHarness(StoreConfig.builder(dir).build())) {
            expected = h.appendRandom(new Random(5), 60, 200, "t");
        }
        Files.deleteIfExists(dir.resolve(IndexCheckpoint.FILE_NAME));
        List<Tamper.Frame> frames = Tamper.allFrames(dir);
        Tamper.Frame last = frames.get(frames.size() - 1);
        Path seg = last.file();
        byte[] pristine = Files.readAllBytes(seg);
        Random r = new Random(9);
        for (int trial = 0; trial < 24; trial++) {
            Files.write(seg, pristine);
            // Mostly the last frame, sometimes one of the frames just before it.
            Tamper.Frame target = trial % 4 == 3 ? frames.get(frames.size() - 2 - r.nextInt(3)) : last;
            long offset = target.offset() + r.nextInt(target.size());
            flipBit(seg, offset, r.nextInt(8));
            Map<String, String> before = Tamper.picture(dir);
            CorruptStoreException e = assertThrows(CorruptStoreException.class,
                    () -> StoreCore.open(StoreConfig.builder(dir).build()), "trial " + trial + " at " + offset);
            assertTrue(e.getMessage().contains(seg.getFileName().toString()), e.getMessage());
            assertEquals(before, Tamper.picture(dir), "refused without a change");
        }
        // With repair on, the damaged group and everything after it is dropped, and the open says so.
        try (StoreCore core = StoreCore.open(StoreConfig.builder(dir).repair(true).build())) {
            StoreRecovery.Report report = core.recovered().report();
            assertTrue(report.repairDroppedBytes() > 0);
            assertEquals(1, report.repairs().size(), report.repairs()::toString);
            assertTrue(report.repairs().get(0).contains("dropped"), report.repairs().get(0));
            assertEquals(0, report.truncatedTailBytes(), "a repair, not a torn tail");
            assertTrue(core.lastGlobalSequence() < expected.size() - 1);
            assertContains(core, expected.subList(0, (int) core.lastGlobalSequence() + 1));
        }
    }

    /**
     * A newest segment whose header the durable-end mark records as written is never taken for one a crash caught
     * being created: a damaged or cut header is corruption, and the segment is not removed.
     */
    @Test
    void aDamagedHeaderOfASegmentRecordedAsDurableIsCorruptionNotAnIncompleteNewSegment() throws IOException {
        try (JournalHarness h = new JournalHarness(StoreConfig.builder(dir).build())) {
            h.appendRandom(new Random(3), 20, 100, "h");
        }
        Files.deleteIfExists(dir.resolve(IndexCheckpoint.FILE_NAME));
        Path seg = SegmentFiles.list(dir).get(0);
        byte[] pristine = Files.readAllBytes(seg);
        for (int variant = 0; variant < 2; variant++) {
            Files.write(seg, pristine);
            if (variant == 0) {
                flipBit(seg, 20, 3);
            } else {
                truncateBy(seg, pristine.length - 30);
            }
            Map<String, String> before = Tamper.picture(dir);
            assertThrows(CorruptStoreException.class, () -> StoreCore.open(StoreConfig.builder(dir).build()),
                    "variant " + variant);
            assertEquals(before, Tamper.picture(dir), "the segment is still there, unchanged");
        }
    }
}
