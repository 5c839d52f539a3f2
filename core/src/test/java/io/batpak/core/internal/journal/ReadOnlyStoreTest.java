package io.batpak.core.internal.journal;

import static io.batpak.core.internal.journal.JournalHarness.assertContains;
import static io.batpak.core.internal.journal.JournalHarness.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.ReadOnlyStore;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.VerifyReport;
import io.batpak.core.error.InvalidConfigException;
import io.batpak.core.error.StoreException;
import io.batpak.core.error.StoreLockedException;
import io.batpak.core.internal.DirectoryLock;
import io.batpak.core.internal.index.IndexCheckpoint;
import io.batpak.core.internal.journal.JournalHarness.Expected;
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

/** {@link ReadOnlyStore}: locks like a normal open, recovers without changing a byte, and reads and verifies. */
class ReadOnlyStoreTest {
    @TempDir
    Path dir;

    private StoreConfig config() {
        return StoreConfig.builder(dir).segmentMaxBytes(64 * 1024).maxPayloadBytes(16 * 1024).build();
    }

    private static void truncate(Path file, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length);
        }
    }

    /** 400 events with a checkpoint after the first 250, then a torn last frame (cut in its middle). */
    private List<Expected> storeWithATornTail() throws IOException {
        List<Expected> expected;
        try (JournalHarness h = new JournalHarness(config())) {
            expected = h.appendRandom(new Random(3), 250, 400, "a");
            h.checkpoint();
        }
        try (JournalHarness h = new JournalHarness(config())) {
            expected.addAll(h.appendRandom(new Random(4), 149, 400, "b"));
            Expected single = h.simple("order:9", "s", 300, new Random(9));
            h.stage(single);
            h.writer.commit();
            expected.add(single);
        }
        List<Tamper.Frame> frames = Tamper.allFrames(dir);
        Tamper.Frame last = frames.get(frames.size() - 1);
        assertEquals(399, last.globalSequence());
        truncate(last.file(), last.offset() + last.size() / 2);
        Tamper.rewindDurableEnd(dir, last);
        return expected;
    }

    @Test
    void readOnlyOpenOfATornStoreChangesNoFileAndLeavesTheTailForTheNextNormalOpen() throws IOException {
        List<Expected> expected = storeWithATornTail();
        Expected torn = expected.remove(expected.size() - 1);
        Expected lastGood = expected.get(expected.size() - 1);
        long tornBytes = torn.pending.frameLength() / 2;
        Map<String, String> before = Tamper.picture(dir);

        List<String> readOnlyView;
        try (ReadOnlyStore ro = ReadOnlyStore.open(config())) {
            assertEquals(398, ro.lastGlobalSequence());
            assertEquals(tornBytes, ro.ignoredTailBytes());
            assertTrue(ro.get(torn.pending.eventId()).isEmpty(), "the torn event is not served");
            StoredEvent e = ro.get(lastGood.pending.eventId()).orElseThrow();
            assertEquals(lastGood.pending.receipt(), e.toReceipt());
            VerifyReport r = ro.verify();
            assertTrue(r.ok(), r::toString);
            assertEquals(399, r.events());
            assertEquals(398, r.throughGlobalSequence());
            List<StoredEvent> stream = ro.readEntity(lastGood.coordinate.entity(), 0, Integer.MAX_VALUE);
            assertEquals(lastGood.pending.eventId(), stream.get(stream.size() - 1).eventId());
        }
        try (StoreCore core = StoreCore.openReadOnly(config())) {
            assertTrue(core.readOnly());
            assertTrue(core.recovered().report().fromCheckpoint());
            assertContains(core, expected);
            readOnlyView = snapshot(core);
            assertThrows(IllegalStateException.class, () -> new JournalWriter(core), "a read-only core is not writable");
        }
        assertEquals(before, Tamper.picture(dir), "no file was created, changed or removed");

        try (StoreCore core = StoreCore.open(config())) {
            assertEquals(tornBytes, core.recovered().report().truncatedTailBytes(), "the normal open cuts the tail");
            assertContains(core, expected);
            assertEquals(readOnlyView, snapshot(core), "the read-only open saw what the normal open sees");
        }
        List<Tamper.Frame> after = Tamper.allFrames(dir);
        Tamper.Frame end = after.get(after.size() - 1);
        assertEquals(398, end.globalSequence());
        assertEquals(end.offset() + end.size(), Files.size(end.file()), "cut back to the end of the last whole frame");
    }

    @Test
    void readOnlyOpenLeavesAnUntrustedCheckpointAndAnIncompleteSegmentInPlace() throws IOException {
        List<Expected> expected;
        try (JournalHarness h = new JournalHarness(config())) {
            expected = h.appendRandom(new Random(5), 300, 300, "c");
            h.checkpoint();
        }
        Path ckpt = dir.resolve(IndexCheckpoint.FILE_NAME);
        byte[] bytes = Files.readAllBytes(ckpt);
        bytes[bytes.length - 3] ^= 1;
        Files.write(ckpt, bytes);
        Path partial = SegmentFiles.directory(dir).resolve(SegmentFiles.fileName(300));
        Files.write(partial, new byte[10]);
        Map<String, String> before = Tamper.picture(dir);

        try (StoreCore core = StoreCore.openReadOnly(config())) {
            assertFalse(core.recovered().report().fromCheckpoint());
            assertEquals(10, core.recovered().report().truncatedTailBytes());
            assertContains(core, expected);
            assertTrue(core.verify().ok());
        }
        assertEquals(before, Tamper.picture(dir));

        try (StoreCore core = StoreCore.open(config())) {
            assertContains(core, expected);
        }
        assertFalse(Files.exists(partial), "a normal open removes the incomplete segment");
        assertFalse(Files.exists(ckpt), "a normal open removes the untrusted checkpoint");
    }

    @Test
    void readOnlyOpenTakesTheExclusiveLockAndLeavesTheLockFileAsItIs() throws IOException {
        try (JournalHarness h = new JournalHarness(config())) {
            h.appendRandom(new Random(6), 20, 50, "d");
            assertThrows(StoreLockedException.class, () -> ReadOnlyStore.open(config()), "a normal store holds it");
        }
        Files.writeString(dir.resolve(DirectoryLock.FILE_NAME), "previous owner\n");
        try (ReadOnlyStore ro = ReadOnlyStore.open(config())) {
            assertThrows(StoreLockedException.class, () -> StoreCore.open(config()));
            assertThrows(StoreLockedException.class, () -> ReadOnlyStore.open(config()));
            assertEquals(19, ro.lastGlobalSequence());
        }
        assertEquals("previous owner\n", Files.readString(dir.resolve(DirectoryLock.FILE_NAME)));
        try (StoreCore core = StoreCore.open(config())) {
            assertEquals(19, core.lastGlobalSequence(), "the lock was released on close");
        }
    }

    @Test
    void repairIsRefusedAndAMissingDirectoryIsNotCreated() throws IOException {
        try (JournalHarness h = new JournalHarness(config())) {
            h.appendRandom(new Random(8), 20, 50, "e");
        }
        Map<String, String> before = Tamper.picture(dir);
        StoreConfig repair = StoreConfig.builder(dir).repair(true).build();
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ReadOnlyStore.open(repair));
        assertTrue(e.getMessage().contains("batpak.repair"), e.getMessage());
        assertEquals(before, Tamper.picture(dir));

        Path missing = dir.resolve("no-store-here");
        assertThrows(StoreException.class, () -> ReadOnlyStore.open(StoreConfig.builder(missing).build()));
        assertFalse(Files.exists(missing));
    }

    @Test
    void emptyDirectoryOpensReadOnlyAsAnEmptyStoreWithoutCreatingSegments() throws IOException {
        Path empty = dir.resolve("empty");
        Files.createDirectories(empty);
        try (ReadOnlyStore ro = ReadOnlyStore.open(StoreConfig.builder(empty).build())) {
            assertEquals(-1, ro.lastGlobalSequence());
            assertTrue(ro.verify().ok());
            assertTrue(ro.readEntity("x", 0, 10).isEmpty());
        }
        assertFalse(Files.exists(SegmentFiles.directory(empty)));
    }
}
