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

    /** What a cursor delivered, compared by sequence, entity, kind and payload. */
    private static List<String> delivered(BatpakStore store, Region region, CursorSettings settings,
                                          List<CursorControl> controls) {
        Pair<CursorControl, CompletionStage<List<StoredEvent>>> run = BatpakStreams
                .cursor(store, region, settings.withCompleteAtHead(true))
                .toMat(Sink.seq(), Keep.both())
                .run(system);
        List<String> out = new ArrayList<>();
        for (StoredEvent e : await(run.second())) {
            out.add(e.globalSequence() + "/" + e.coordinate() + "/" + e.kind() + "/" + e.entitySequence() + "/"
                    + new String(e.payload(), StandardCharsets.UTF_8));
        }
        controls.add(run.first());
        return out;
    }

    @Test
    void aDenseCatchUpReadsTheSegmentsSequentiallyAndDeliversWhatIndexPagesDeliver() {
        BatpakStore store = open();
        List<String> entities = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            entities.add("item-" + i);
        }
        appendMany(store, entities, KIND, 3000);
        appendMany(store, List.of("other"), OTHER_KIND, 500);
        appendMany(store, entities, KIND, 1500);
        CursorSettings base = CursorSettings.defaults().withBatchSize(64);
        // all: every event; kind: 90% of them; one entity: 1 in 10, below the 0.25 density, read from the index.
        for (Region region : List.of(Region.all(), Region.all().withKind(KIND), Region.entity("item-3"))) {
            List<CursorControl> controls = new ArrayList<>();
            List<String> sequential = delivered(store, region, base, controls);
            List<String> indexed = delivered(store, region, base.withSequentialReadDensity(0), controls);
            List<String> fromMiddle = delivered(store, region, base.afterSequence(2222), controls);
            assertEquals(indexed, sequential, region.identity());
            assertTrue(indexed.size() >= 450, region.identity() + ": " + indexed.size());
            assertEquals(indexed.stream().filter(x -> Long.parseLong(x.substring(0, x.indexOf('/'))) > 2222).toList(),
                    fromMiddle, region.identity());
            boolean dense = !region.identity().equals(Region.entity("item-3").identity());
            assertEquals(dense, CursorStage.eventsReadSequentially(controls.get(0)) > 0, region.identity());
            assertEquals(dense, CursorStage.eventsReadSequentially(controls.get(2)) > 0, region.identity());
            assertEquals(0, CursorStage.eventsReadSequentially(controls.get(1)), "density 0 is off");
            assertTrue(CursorStage.peakBuffered(controls.get(0)) <= 64);
        }
    }

    @Test
    void aLiveCursorGoesFromItsSequentialRunToLiveAppendsWithoutGapOrDuplicate() {
        BatpakStore store = open();
        appendMany(store, List.of("a", "b", "c", "d"), KIND, 20_000);
        Pair<CursorControl, CompletionStage<List<StoredEvent>>> run = BatpakStreams
                .cursor(store, Region.all(), CursorSettings.defaults().withBatchSize(32))
                .take(30_000)
                .toMat(Sink.seq(), Keep.both())
                .run(system);
        // Appends while the cursor is in its sequential run: the run ends at the head seen when it began.
        appendMany(store, List.of("a", "e"), KIND, 10_000);
        List<StoredEvent> seen = await(run.second());
        assertEquals(30_000, seen.size());
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(i, seen.get(i).globalSequence());
        }
        assertTrue(CursorStage.eventsReadSequentially(run.first()) > 0);
        assertTrue(CursorStage.peakBuffered(run.first()) <= 32);
    }

    @Test
    void aDamagedEventIsNeverServedBySequentialReadsEither() throws Exception {
        BatpakStore store = open();
        appendMany(store, List.of("a", "b"), KIND, 600); // payloads "event-0" .. "event-599"
        Path segment;
        try (var files = Files.list(dir.resolve(SegmentFiles.DIRECTORY))) {
            segment = files.sorted().reduce((x, y) -> y).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(segment);
        int at = indexOf(bytes, "event-500".getBytes(StandardCharsets.UTF_8));
        assertTrue(at > 0, "payload found");
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) (bytes[at] ^ 0x20)}), at);
        }
        Pair<CursorControl, CompletionStage<List<StoredEvent>>> run = BatpakStreams
                .cursor(store, Region.all(), CursorSettings.defaults().withBatchSize(16))
                .toMat(Sink.seq(), Keep.both())
                .run(system);
        assertFailsWith(CorruptStoreException.class, run.second());
        assertTrue(CursorStage.eventsReadSequentially(run.first()) > 0, "the damage was met by a sequential run");
        assertEquals(499, run.first().position(), "events before the damaged one were delivered, it was not");
    }
}
