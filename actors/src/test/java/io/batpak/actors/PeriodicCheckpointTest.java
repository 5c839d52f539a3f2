package io.batpak.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoreStats;
import io.batpak.core.internal.index.IndexCheckpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Periodic index checkpoints bound the work of an open after a crash: a child JVM appends 300,000 events with a
 * checkpoint every 50,000, is killed with SIGKILL, and the reopen scans only the events after the last checkpoint
 * that reached the disk, yet finds every event, its chains and its idempotency keys.
 */
@Tag("crash")
class PeriodicCheckpointTest {
    private static final int EVENTS = 300_000;
    private static final int INTERVAL = 50_000;

    @TempDir
    Path tmp;

    @Test
    void afterKillMinus9TheOpenScansOnlyTheTailSinceTheLastCheckpoint() throws Exception {
        Path dir = tmp.resolve("store");
        try (ChildJvm child = ChildJvm.start(CheckpointAppender.class, tmp.resolve("child.log"), dir.toString(),
                String.valueOf(EVENTS), String.valueOf(INTERVAL))) {
            String ready = child.awaitLine(l -> l.startsWith("READY"), Duration.ofMinutes(3), new java.util.ArrayList<>());
            assertTrue(ready != null && ready.startsWith("READY"), "the child did not get ready: " + child.stderrTail());
            child.kill(Duration.ofSeconds(30));
        }
        long covered = checkpointedEvents(dir);
        assertTrue(covered >= EVENTS - INTERVAL && covered <= EVENTS, "checkpoint covers " + covered);

        try (ReadOnlyStore store = ReadOnlyStore.open(StoreConfig.builder(dir).build())) {
            assertEquals(EVENTS - 1, store.lastGlobalSequence());
            assertTrue(store.verify().ok(), store.verify().toString());
        }
        // Keys committed before and after the checkpoint are both still known: a retry returns the original.
        try (BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).checkpointIntervalEvents(0).build())) {
            StoreStats stats = store.stats();
            assertTrue(stats.openedFromCheckpoint(), "opened from the periodic checkpoint: " + stats);
            assertEquals(EVENTS - covered, stats.openScannedEvents(),
                    "the open scanned exactly the events after the last checkpoint");
            for (int i : new int[] {0, (int) (covered - 10 - covered % 10), EVENTS - 10}) {
                AppendReceipt receipt = store.append(Coordinate.of("ckpt-" + (i % CheckpointAppender.ENTITIES), "crash"),
                        CheckpointAppender.KIND, ("event " + i).getBytes(StandardCharsets.UTF_8),
                        AppendOptions.builder().idempotencyKey(IdempotencyKey.of(7, i)).build())
                        .toCompletableFuture().join();
                assertEquals(i, receipt.globalSequence(), "key of event " + i);
            }
            assertEquals(EVENTS - 1, store.lastGlobalSequence());
        }
    }

    /** The number of events the index checkpoint in {@code dir} covers, 0 when there is none. */
    static long checkpointedEvents(Path dir) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(dir.resolve(IndexCheckpoint.FILE_NAME));
        } catch (NoSuchFileException e) {
            return 0;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 28) {
            return 0;
        }
        int segments = b.getInt(24);
        int at = 28 + 16 * segments;
        return at + 8 <= bytes.length ? b.getLong(at) : 0;
    }
}
