package io.batpak.persistence.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.IoFaultHook;
import io.batpak.persistence.CorruptSnapshotException;
import io.batpak.persistence.SnapshotStoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotDatabaseTest {
    private static final long MAP = 1 << 20;

    @TempDir
    Path dir;

    private static SnapshotDatabase.Record record(String pid, long seq, long ts, String body) {
        return new SnapshotDatabase.Record(pid, seq, ts, 7, "m", body.getBytes(StandardCharsets.UTF_8), null);
    }

    @Test
    void everyPersistenceIdFindsItsNewestSnapshotWhateverItsKeyBytes() {
        try (SnapshotDatabase db = new SnapshotDatabase(dir, MAP, 16, IoFaultHook.NONE)) {
            for (int p = 0; p < 300; p++) {
                for (long seq = 1; seq <= 3; seq++) {
                    db.save(record("pid-" + p, seq * 10, 1000 + seq, "s" + p + "-" + seq));
                }
            }
            for (int p = 0; p < 300; p++) {
                SnapshotDatabase.Record newest = db.newest("pid-" + p, 0, Long.MAX_VALUE, r -> true);
                assertNotNull(newest, "pid-" + p);
                assertEquals(30, newest.sequenceNr());
                assertEquals("s" + p + "-3", new String(newest.snapshot(), StandardCharsets.UTF_8));
                assertEquals(20, db.newest("pid-" + p, 0, 29, r -> true).sequenceNr());
                assertEquals(10, db.newest("pid-" + p, 0, Long.MAX_VALUE, r -> r.timestamp() <= 1001).sequenceNr());
                assertNull(db.newest("pid-" + p, 31, Long.MAX_VALUE, r -> true));
            }
            assertNull(db.newest("unknown", 0, Long.MAX_VALUE, r -> true));
            assertEquals(900, db.count());
        }
    }

    @Test
    void savingTheSameSequenceNumberReplacesAndDeletesHonourTheirBounds() {
        try (SnapshotDatabase db = new SnapshotDatabase(dir, MAP, 16, IoFaultHook.NONE)) {
            db.save(record("p", 5, 1, "old"));
            db.save(record("p", 5, 2, "new"));
            db.save(record("p", 6, 3, "six"));
            db.save(record("q", 5, 1, "other"));
            assertEquals("new", new String(db.newest("p", 5, 5, r -> true).snapshot(), StandardCharsets.UTF_8));
            assertEquals(1, db.delete("p", 0, 5, r -> true));
            assertEquals(6, db.newest("p", 0, Long.MAX_VALUE, r -> true).sequenceNr());
            assertEquals(0, db.delete("p", 0, Long.MAX_VALUE, r -> r.timestamp() > 3));
            assertNotNull(db.newest("q", 0, Long.MAX_VALUE, r -> true), "other ids untouched");
        }
    }

    @Test
    void aFullMapGrowsAndKeepsEverySnapshot() {
        byte[] big = new byte[200_000];
        Arrays.fill(big, (byte) 7);
        try (SnapshotDatabase db = new SnapshotDatabase(dir, 256 * 1024, 16, IoFaultHook.NONE)) {
            for (int i = 0; i < 20; i++) {
                db.save(new SnapshotDatabase.Record("p", i, i, 1, "", big, null));
            }
            assertEquals(20, db.count());
            assertArrayEquals(big, db.newest("p", 0, 0, r -> true).snapshot());
        }
        try (SnapshotDatabase db = new SnapshotDatabase(dir, 256 * 1024, 16, IoFaultHook.NONE)) {
            assertEquals(20, db.count(), "reopened with a smaller configured map, the data is all there");
        }
    }

    @Test
    void aFailedCommitStoresNothingAndKeepsEarlierSnapshots() {
        AtomicBoolean fail = new AtomicBoolean();
        IoFaultHook faults = new IoFaultHook() {
            @Override
            public void beforeForce(String file) throws IOException {
                if (fail.get()) {
                    throw new IOException("injected: no space left on device");
                }
            }
        };
        try (SnapshotDatabase db = new SnapshotDatabase(dir, MAP, 16, faults)) {
            db.save(record("p", 1, 1, "kept"));
            fail.set(true);
            SnapshotStoreException e = assertThrows(SnapshotStoreException.class, () -> db.save(record("p", 2, 2, "lost")));
            assertTrue(e.getMessage().contains("nothing was changed") && e.getMessage().contains("no space left"),
                    e.getMessage());
            assertThrows(SnapshotStoreException.class, () -> db.delete("p", 0, Long.MAX_VALUE, r -> true));
            fail.set(false);
            assertEquals(1, db.newest("p", 0, Long.MAX_VALUE, r -> true).sequenceNr());
            assertEquals(1, db.count());
        }
    }

    @Test
    void aDamagedRecordIsDetectedAndNeverServed() throws IOException {
        String marker = "SNAPSHOT-BODY-" + "x".repeat(64);
        try (SnapshotDatabase db = new SnapshotDatabase(dir, MAP, 16, IoFaultHook.NONE)) {
            db.save(record("p", 1, 1, marker));
        }
        Path file = dir.resolve("data.mdb");
        byte[] bytes = Files.readAllBytes(file);
        int at = indexOf(bytes, marker.getBytes(StandardCharsets.UTF_8));
        assertTrue(at > 0, "the record is in the file");
        bytes[at + 20] ^= 0x01;
        Files.write(file, bytes);
        try (SnapshotDatabase db = new SnapshotDatabase(dir, MAP, 16, IoFaultHook.NONE)) {
            CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class,
                    () -> db.newest("p", 0, Long.MAX_VALUE, r -> true));
            assertEquals("p", e.persistenceId());
            assertEquals(1, e.sequenceNr());
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
