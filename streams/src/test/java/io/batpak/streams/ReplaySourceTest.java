package io.batpak.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.batpak.actors.BatpakStore;
import io.batpak.core.Region;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.internal.segment.SegmentFiles;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/** {@code BatpakStreams.replay}: the sequential replay path as a finite, demand-driven Source. */
class ReplaySourceTest extends StreamsTestBase {

    private static List<Long> sequences(List<StoredEvent> events) {
        return events.stream().map(StoredEvent::globalSequence).toList();
    }

    @Test
    void aReplaySourceEmitsWhatQueryReturnsThenCompletes() {
        BatpakStore store = open();
        appendMany(store, List.of("order:1", "order:2", "user:1"), KIND, 900);
        Region orders = Region.entity("order");
        List<StoredEvent> expected = store.query(orders, 99, Integer.MAX_VALUE);
        List<StoredEvent> got = await(BatpakStreams.replay(store, orders, 99).runWith(Sink.seq(), system));
        assertEquals(sequences(expected), sequences(got));
        assertEquals(900, await(BatpakStreams.replay(store, Region.all(), -1).runWith(Sink.seq(), system)).size());
        // Demand-driven: taking a few stops the reading (and closes the files) without reading the rest.
        List<StoredEvent> five = await(BatpakStreams.replay(store, Region.all(), -1).take(5)
                .runWith(Sink.seq(), system));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), sequences(five));
        // A position at or past the end: empty, completed.
        assertEquals(List.of(), await(BatpakStreams.replay(store, Region.all(), 899).runWith(Sink.seq(), system)));
        assertThrows(InvalidInputException.class, () -> BatpakStreams.replay(store, Region.all(), -2));
        assertThrows(InvalidInputException.class, () -> BatpakStreams.replay(store, null, -1));
        assertThrows(InvalidInputException.class, () -> BatpakStreams.replay(null, Region.all(), -1));
    }

    @Test
    void aReplayOverManyReadChunksEmitsEveryEventInOrderAndStopsAtADamagedFrame() throws Exception {
        BatpakStore store = open();
        appendMany(store, List.of("a", "b", "c"), KIND, 40_000);
        List<StoredEvent> got = await(BatpakStreams.replay(store, Region.all(), -1).runWith(Sink.seq(), system));
        assertEquals(40_000, got.size());
        for (int i = 0; i < got.size(); i++) {
            assertEquals(i, got.get(i).globalSequence());
            assertEquals("event-" + i, new String(got.get(i).payload(), StandardCharsets.UTF_8));
        }
        Path segment;
        try (var files = Files.list(dir.resolve(SegmentFiles.DIRECTORY))) {
            segment = files.sorted().reduce((x, y) -> y).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(segment);
        assertEquals(true, bytes.length > 3 << 20, "several 1 MiB read chunks");
        int at = indexOf(bytes, "event-30000".getBytes(StandardCharsets.UTF_8));
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) (bytes[at] ^ 0x20)}), at);
        }
        AtomicLong emitted = new AtomicLong();
        assertFailsWith(CorruptStoreException.class, BatpakStreams.replay(store, Region.all(), -1)
                .wireTap(e -> emitted.incrementAndGet()).runWith(Sink.ignore(), system));
        assertEquals(30_000, emitted.get(), "every event before the damaged one, not it");
    }
}
