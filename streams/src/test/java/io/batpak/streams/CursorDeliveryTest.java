package io.batpak.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendRequest;
import io.batpak.core.Region;
import io.batpak.core.StoredEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The cursor's delivery guarantees under concurrent appends, across a restart, and its memory bound. */
@Tag("slow")
class CursorDeliveryTest extends StreamsTestBase {
    /** Events the slow consumer of the bounded-memory test pulls. */
    private static final int SLOW_EVENTS = 400;

    private static final int APPENDERS = 8;
    private static final int TOTAL = 200_000;

    /** Starts 8 appendFlow streams, each writing its share of {@link #TOTAL} events on its own entities. */
    private List<CompletionStage<Done>> startAppenders(BatpakStore store) {
        List<CompletionStage<Done>> done = new ArrayList<>();
        for (int a = 0; a < APPENDERS; a++) {
            int appender = a;
            done.add(Source.range(0, TOTAL / APPENDERS - 1)
                    .map(i -> request("appender-" + appender + ":" + (i % 16), KIND, i))
                    .runWith(BatpakStreams.appendSink(store, AppendSettings.defaults().withParallelism(32)), system));
        }
        return done;
    }

    /** A sink failing unless global sequences arrive as exactly {@code first, first+1, ...}; returns the count. */
    private static Sink<StoredEvent, CompletionStage<Long>> contiguousFrom(long first) {
        return Sink.fold(0L, (n, e) -> {
            if (e.globalSequence() != first + n) {
                throw new AssertionError("expected global sequence " + (first + n) + " but got "
                        + e.globalSequence() + (e.globalSequence() < first + n ? " (duplicate)" : " (gap)"));
            }
            return n + 1;
        });
    }

    @Test
    void aLiveCursorSeesEveryEventOfEightConcurrentAppendersExactlyOnceInGlobalOrder() {
        BatpakStore store = open();
        Pair<CursorControl, CompletionStage<Long>> cursor = BatpakStreams.cursor(store, Region.all())
                .take(TOTAL)
                .toMat(contiguousFrom(0), Keep.both())
                .run(system);
        for (CompletionStage<Done> a : startAppenders(store)) {
            await(a);
        }
        assertEquals(TOTAL, await(cursor.second()));
        assertEquals(TOTAL - 1, store.lastGlobalSequence());
        assertTrue(CursorStage.peakBuffered(cursor.first()) <= CursorSettings.defaults().batchSize());
    }

    @Test
    void aRestartFromACheckpointInTheMiddleResumesRightAfterTheCommittedOffset() {
        BatpakStore store = open();
        Region region = Region.all();
        CursorSettings settings = CursorSettings.checkpointId("live-reader");
        CommitterSettings committer = CommitterSettings.defaults().withMaxBatch(500)
                .withMaxInterval(java.time.Duration.ofMillis(20));
        List<CompletionStage<Done>> appenders = startAppenders(store);

        // First run: processes 80,000 events but commits only up to 70,000, as if it crashed after that commit.
        long commitLimit = 70_000;
        Pair<CursorControl, CompletionStage<Done>> first = BatpakStreams.committableCursor(store, region, settings)
                .take(80_000)
                .map(CommittableEvent::offset)
                .filter(o -> o.globalSequence() < commitLimit)
                .toMat(Committer.sink(committer), Keep.both())
                .run(system);
        await(first.second());
        await(first.first().whenStopped());
        assertEquals(commitLimit - 1, first.first().committed());

        // Second run, while the appenders go on: resumes exactly after the committed offset, then goes live.
        AtomicReference<CursorControl> second = new AtomicReference<>();
        Pair<CursorControl, CompletionStage<Long>> run = BatpakStreams.cursor(store, region, settings)
                .take(TOTAL - commitLimit)
                .toMat(contiguousFrom(commitLimit), Keep.both())
                .run(system);
        second.set(run.first());
        for (CompletionStage<Done> a : appenders) {
            await(a);
        }
        assertEquals(TOTAL - commitLimit, await(run.second()));
        assertEquals(commitLimit - 1, run.first().committed(), "reading does not commit");
    }

    @Test
    void aSlowConsumerOverAMillionEventsHoldsAtMostOneBatch() throws Exception {
        BatpakStore store = open();
        List<String> entities = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            entities.add("entity-" + i);
        }
        appendMany(store, entities, KIND, 1_000_000);
        int batch = 128;
        Pair<CursorControl, SinkQueueWithCancel<StoredEvent>> run = BatpakStreams
                .cursor(store, Region.all(), CursorSettings.defaults().withBatchSize(batch))
                .toMat(Sink.<StoredEvent>queue(1).withAttributes(Attributes.inputBuffer(1, 1)), Keep.both())
                .run(system);
        CursorControl control = run.first();
        SinkQueueWithCancel<StoredEvent> queue = run.second();
        long expected = 0;
        // A slow consumer: one event per millisecond, for a fixed number of events.
        for (int i = 0; i < SLOW_EVENTS; i++) {
            StoredEvent e = await(queue.pull()).orElseThrow();
            assertEquals(expected++, e.globalSequence());
            assertTrue(control.buffered() <= batch, "buffered " + control.buffered());
            Thread.sleep(1);
        }
        assertTrue(CursorStage.peakBuffered(control) <= batch, "peak " + CursorStage.peakBuffered(control));
        // Reads follow demand: the cursor never reads more than one batch beyond what it emitted (read is sampled
        // first, so a read racing with the sampling can only make the emitted count larger), and it emits only what
        // the sink asked for (the consumer's element, the sink's buffer of 1 and its input buffer of 1).
        long read = CursorStage.eventsRead(control);
        long emitted = control.position() + 1;
        assertTrue(read <= emitted + batch, "read " + read + " for " + emitted + " emitted");
        assertTrue(emitted <= expected + 3, "emitted " + emitted + " for " + expected + " consumed");
        queue.cancel();
        await(control.whenStopped());
    }

    @Test
    void aParkedCursorIsWokenByANewCommit() {
        BatpakStore store = open();
        appendMany(store, List.of("a"), KIND, 10);
        AtomicLong received = new AtomicLong();
        Pair<CursorControl, CompletionStage<List<StoredEvent>>> run = BatpakStreams.cursor(store, Region.entity("b"))
                .take(3)
                .wireTap(e -> received.incrementAndGet())
                .toMat(Sink.seq(), Keep.both())
                .run(system);
        eventually("the cursor has scanned the history", () -> CursorStage.eventsRead(run.first()) == 0
                && run.first().position() == -1);
        for (int i = 0; i < 3; i++) {
            await(store.append(AppendRequest.of(io.batpak.core.Coordinate.of("b", "s"), KIND, new byte[] {(byte) i})));
            long want = i + 1;
            eventually("event " + want + " delivered", () -> received.get() == want);
        }
        List<StoredEvent> seen = await(run.second());
        assertEquals(List.of(10L, 11L, 12L), seen.stream().map(StoredEvent::globalSequence).toList());
    }
}
