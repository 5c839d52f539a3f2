package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendRequest;
import io.batpak.core.CompactionPlan;
import io.batpak.core.Coordinate;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoreFollower;
import io.batpak.core.StoredEvent;
import io.batpak.core.SyncMode;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.InvalidQueryException;
import io.batpak.core.error.StoreException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Following a store that an open BatpakStore writes, without its lock. */
class StoreFollowerTest {
    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @TempDir
    Path dir;

    private StoreConfig config() {
        return StoreConfig.builder(dir).syncMode(SyncMode.NONE).segmentMaxBytes(64 * 1024).maxPayloadBytes(1024)
                .build();
    }

    /** Five events, one to each of e:0..e:4, in one atomic batch. */
    private static List<AppendRequest> batch(int n, int size) {
        List<AppendRequest> items = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            items.add(AppendRequest.of(Coordinate.of("e:" + i, "s"), KIND, new byte[size]));
        }
        return items;
    }

    private static Path lastSegment(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir.resolve("segments"))) {
            return s.sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    @Test
    void followsAcrossSegmentsSeeingWholeBatchesOnceInOrderWhileTheOwnerWrites() throws Exception {
        BatpakStore store = kit.open(config());
        for (int b = 0; b < 10; b++) {
            await(store.appendBatch(batch(b, 300)));
        }
        List<StoredEvent> seen = new ArrayList<>();
        try (StoreFollower f = StoreFollower.open(config(), Region.all(), -1)) {
            for (int b = 10; b < 200; b++) {
                await(store.appendBatch(batch(b, 300)));
                List<StoredEvent> page = f.poll(10_000);
                seen.addAll(page);
                // Only whole atomic batches of 5 ever become visible.
                assertEquals(0, seen.size() % 5, "a batch was cut at " + seen.size());
            }
            while (seen.size() < 1000) {
                List<StoredEvent> page = f.poll(10_000);
                assertTrue(!page.isEmpty() || seen.size() == 1000, "the rest is written: " + seen.size());
                seen.addAll(page);
            }
            assertEquals(999, f.position());
        }
        assertTrue(Files.list(dir.resolve("segments")).count() > 3, "several segment rotations were followed");
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(i, seen.get(i).globalSequence());
            assertEquals(store.get(seen.get(i).eventId()).orElseThrow().eventHash(), seen.get(i).eventHash());
        }
    }

    @Test
    void aRegionAndTheEndSelectWhatIsFollowedAndCompactionByTheOwnerDoesNotDisturbIt() {
        BatpakStore store = kit.open(config());
        for (int b = 0; b < 50; b++) {
            await(store.appendBatch(batch(b, 100)));
        }
        try (StoreFollower all = StoreFollower.open(config(), Region.entity("e:3"), 100);
             StoreFollower end = StoreFollower.openAtEnd(config(), Region.all())) {
            assertEquals(List.of(), end.poll(10));
            await(store.compact(CompactionPlan.ERASE_ONLY.withMaxEventsPerEntity(5)));
            for (int b = 0; b < 10; b++) {
                await(store.appendBatch(batch(b, 100)));
            }
            List<StoredEvent> fromEnd = new ArrayList<>();
            for (int i = 0; i < 100 && fromEnd.size() < 50; i++) {
                fromEnd.addAll(end.poll(7));
            }
            assertEquals(50, fromEnd.size());
            assertEquals(250, fromEnd.get(0).globalSequence());
            List<StoredEvent> e3 = new ArrayList<>();
            for (int i = 0; i < 100 && e3.size() < 50; i++) {
                e3.addAll(all.poll(1000));
            }
            // e:3 after global 100, read only after the owner compacted under the follower's view: the view is taken
            // again, so the 5 survivors (entity sequences 45..49) and the 10 new events, no removed one.
            assertEquals(15, e3.size(), e3.toString());
            for (int i = 0; i < e3.size(); i++) {
                assertEquals("e:3", e3.get(i).coordinate().entity());
                assertEquals(45 + i, e3.get(i).entitySequence());
            }
            assertEquals(List.of(), all.poll(10));
        }
        assertThrows(InvalidInputException.class, () -> StoreFollower.open(config(), Region.all(), -2));
        assertThrows(InvalidInputException.class, () -> StoreFollower.open(config(), null, -1));
        assertThrows(StoreException.class, () -> StoreFollower.open(StoreConfig.builder(dir.resolve("none")).build(),
                Region.all(), -1));
        try (StoreFollower f = StoreFollower.open(config(), Region.all(), -1)) {
            assertThrows(InvalidQueryException.class, () -> f.poll(0));
        }
    }

    @Test
    void aGroupStillBeingWrittenIsNotShownAndDamageBeforeTheEndIsDetected() throws Exception {
        BatpakStore store = kit.open(config());
        await(store.appendBatch(batch(0, 100)));
        StoreFollower f = StoreFollower.openAtEnd(config(), Region.all());
        for (int b = 1; b < 4; b++) {
            await(store.appendBatch(batch(b, 100)));
        }
        kit.close(store);
        Path seg = lastSegment(dir);
        long size = Files.size(seg);
        // Half a frame at the end, as a writer cut off mid-write leaves: not shown, no error.
        try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
            raf.seek(size);
            raf.write(new byte[] {40, 0, 0, 0, 1, 2, 3});
        }
        try {
            List<StoredEvent> page = f.poll(100);
            assertEquals(15, page.size());
            assertEquals(List.of(), f.poll(100), "the partial group is not shown");
        } finally {
            f.close();
        }

        // A flipped byte inside the frames after the follower's start, with valid frames after it: detected.
        StoreFollower g = StoreFollower.open(StoreConfig.builder(dir).build(), Region.all(), -1);
        try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
            raf.setLength(size); // drop the partial frame again
        }
        // The follower opened on the intact file; damage what it has not read yet: append, then flip a byte.
        BatpakStore again = kit.open(config());
        for (int b = 4; b < 8; b++) {
            await(again.appendBatch(batch(b, 100)));
        }
        kit.close(again);
        Path last = lastSegment(dir);
        long damageAt = last.equals(seg) ? size + 60 : 200;
        try (RandomAccessFile raf = new RandomAccessFile(last.toFile(), "rw")) {
            raf.seek(damageAt);
            int v = raf.read();
            raf.seek(damageAt);
            raf.write(v ^ 0xFF);
        }
        try {
            CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> {
                for (int i = 0; i < 100; i++) {
                    g.poll(1000);
                }
            });
            assertTrue(e.getMessage().contains(last.getFileName().toString()), e.getMessage());
        } finally {
            g.close();
        }
    }

    @Test
    void aSegmentThatShrinksUnderTheFollowerFailsThePoll() throws Exception {
        BatpakStore store = kit.open(config());
        for (int b = 0; b < 4; b++) {
            await(store.appendBatch(batch(b, 100)));
        }
        kit.close(store);
        Path seg = lastSegment(dir);
        try (StoreFollower f = StoreFollower.open(StoreConfig.builder(dir).build(), Region.all(), -1)) {
            assertEquals(20, f.poll(100).size());
            try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
                raf.setLength(raf.length() - 10);
            }
            StoreException e = assertThrows(StoreException.class, () -> f.poll(100));
            assertTrue(e.getMessage().contains("shrank"), e.getMessage());
        }
    }
}
