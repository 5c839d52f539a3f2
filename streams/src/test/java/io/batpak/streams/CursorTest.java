package io.batpak.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.actors.BatpakStore;
import io.batpak.core.Region;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.internal.segment.SegmentFiles;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

class CursorTest extends StreamsTestBase {

    @Test
    void catchesUpThenFollowsLiveAppendsWithoutGapOrDuplicate() {
        BatpakStore store = open();
        appendMany(store, List.of("a", "b", "c"), KIND, 1000);
        Pair<CursorControl, CompletionStage<List<StoredEvent>>> run = BatpakStreams
                .cursor(store, Region.all(), CursorSettings.defaults().withBatchSize(64))
                .take(2000)
                .toMat(Sink.seq(), Keep.both())
                .run(system);
        appendMany(store, List.of("a", "d"), KIND, 1000);
        List<StoredEvent> seen = await(run.second());
        assertEquals(2000, seen.size());
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(i, seen.get(i).globalSequence());
        }
        assertTrue(CursorStage.peakBuffered(run.first()) <= 64, "peak " + CursorStage.peakBuffered(run.first()));
    }

    @Test
    void regionFilterAndCompleteAtHead() {
        BatpakStore store = open();
        appendMany(store, List.of("order:1", "order:2", "user:1"), KIND, 300);
        appendMany(store, List.of("order:1"), OTHER_KIND, 50);
        List<StoredEvent> seen = await(BatpakStreams
                .cursor(store, Region.entity("order").withKind(KIND), CursorSettings.defaults().withCompleteAtHead(true))
                .runWith(Sink.seq(), system));
        assertEquals(200, seen.size());
        long prev = -1;
        for (StoredEvent e : seen) {
            assertTrue(e.coordinate().entity().startsWith("order:"));
            assertEquals(KIND, e.kind());
            assertTrue(e.globalSequence() > prev);
            prev = e.globalSequence();
        }
        List<StoredEvent> all = new ArrayList<>(seen);
        assertEquals(seen, all);
    }

    @Test
    void aDamagedEventIsNeverServed() throws Exception {
        BatpakStore store = open();
        appendMany(store, List.of("a"), KIND, 10); // payloads "event-0" .. "event-9"
        Path segment;
        try (var files = Files.list(dir.resolve(SegmentFiles.DIRECTORY))) {
            segment = files.sorted().reduce((x, y) -> y).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(segment);
        byte[] needle = "event-5".getBytes(StandardCharsets.UTF_8);
        int at = indexOf(bytes, needle);
        assertTrue(at > 0, "payload found");
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) (bytes[at] ^ 0x20)}), at);
        }
        Pair<CursorControl, CompletionStage<List<StoredEvent>>> run = BatpakStreams
                .cursor(store, Region.all(), CursorSettings.defaults().withBatchSize(1))
                .toMat(Sink.seq(), Keep.both())
                .run(system);
        assertFailsWith(CorruptStoreException.class, run.second());
        assertEquals(4, run.first().position(), "events before the damaged one were delivered, it was not");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
