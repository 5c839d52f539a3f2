package io.batpak.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.ReadOnlyStore;
import io.batpak.core.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup killed with SIGKILL at each of its I/O steps in turn (every file created, written, forced and renamed,
 * every directory forced): afterwards the source opens, verifies and holds every event, and the destination either
 * does not exist or is a complete store that verifies.
 */
@Tag("crash")
class BackupCrashTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aBackupKilledAtAnyStepLeavesTheSourceWholeAndNoHalfCopy() throws Exception {
        Path store = dir.resolve("store");
        int killed = 0;
        for (int k = 1; ; k++) {
            Path destination = dir.resolve("backup-" + k);
            try (ChildJvm child = ChildJvm.start(BackupCrashApp.class, dir.resolve("child-" + k + ".log"),
                    store.toString(), destination.toString(), Integer.toString(k))) {
                String line = child.awaitLine(l -> l.startsWith("AT ") || l.startsWith("DONE "), WAIT, null);
                if (line.startsWith("DONE ")) {
                    assertTrue(k > 5, "a backup has several I/O steps: " + line);
                    assertOpensAndVerifies(destination, 200);
                    break;
                }
                child.kill(Duration.ofSeconds(30));
                killed++;
            }
            assertOpensAndVerifies(store, 200);
            if (Files.exists(destination)) {
                assertOpensAndVerifies(destination, 200);
            }
        }
        assertTrue(killed > 5, "killed at " + killed + " steps");
    }

    private static void assertOpensAndVerifies(Path dir, long events) {
        try (ReadOnlyStore ro = ReadOnlyStore.open(StoreConfig.builder(dir).segmentMaxBytes(64 * 1024)
                .maxPayloadBytes(16 * 1024).build())) {
            assertTrue(ro.verify().ok(), dir + ": " + ro.verify());
            assertEquals(events - 1, ro.lastGlobalSequence(), dir.toString());
        }
    }
}
