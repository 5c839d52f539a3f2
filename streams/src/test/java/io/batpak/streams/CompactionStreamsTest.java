package io.batpak.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendRequest;
import io.batpak.core.CompactionPlan;
import io.batpak.core.CompactionReport;
import io.batpak.core.Coordinate;
import io.batpak.core.Region;
import io.batpak.core.RemovedRange;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.SyncMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/** Cursors and subscriptions while compaction removes events under them. */
class CompactionStreamsTest extends StreamsTestBase {

    /** Appends {@code count} events round-robin over {@code entities} in batches that fit a small segment. */
    private static void fill(BatpakStore store, List<String> entities, io.batpak.core.EventKind kind, int count) {
        for (int from = 0; from < count; from += 100) {
            List<AppendRequest> items = new ArrayList<>();
            for (int i = from; i < Math.min(count, from + 100); i++) {
                items.add(request(entities.get(i % entities.size()), kind, i));
            }
            await(store.appendBatch(items));
        }
    }

    private BatpakStore openSmall() {
        return open(StoreConfig.builder(dir).syncMode(SyncMode.NONE).segmentMaxBytes(64 * 1024).maxPayloadBytes(16 * 1024).build());
    }

    @Test
    void aCursorDeliversEverySurvivingEventOnceInOrderWhileCompactionRunsUnderEightAppenders() throws Exception {
        BatpakStore store = openSmall();
        // Old events, most of which the compaction removes, and some that it keeps.
        List<String> old = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            old.add("old:" + i);
        }
        fill(store, old, KIND, 3000);
        fill(store, List.of("keep:a", "keep:b"), KIND, 500);

        ConcurrentLinkedQueue<StoredEvent> fromCursor = new ConcurrentLinkedQueue<>();
        Pair<CursorControl, CompletionStage<Done>> cursor = BatpakStreams.cursor(store, Region.all(),
                        CursorSettings.defaults().withBatchSize(64))
                .throttle(4000, Duration.ofSeconds(1))
                .toMat(Sink.foreach(fromCursor::add), Keep.both())
                .run(system);
        ConcurrentLinkedQueue<StoredEvent> fromSubscription = new ConcurrentLinkedQueue<>();
        Pair<Subscription, CompletionStage<Done>> live = BatpakStreams.subscribe(store, Region.all())
                .toMat(Sink.foreach(fromSubscription::add), Keep.both())
                .run(system);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> appendFailure = new AtomicReference<>();
        List<Thread> appenders = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                int n = 0;
                while (!stop.get() && appendFailure.get() == null) {
                    try {
                        await(store.appendBatch(List.of(
                                AppendRequest.of(Coordinate.of("live:" + id, "test"), KIND, ("l" + n).getBytes()),
                                AppendRequest.of(Coordinate.of("old:" + id, "test"), KIND, ("o" + n).getBytes()))));
                        n++;
                    } catch (Throwable e) {
                        appendFailure.set(e);
                    }
                }
            });
            th.start();
            appenders.add(th);
        }
        // Compact while the cursor is still reading the old events and the appenders run.
        eventually("the cursor has started", () -> fromCursor.size() > 100);
        CompactionReport report = await(store.compact(CompactionPlan.ERASE_ONLY
                .withRemoveIf(e -> e.coordinate().entity().startsWith("old:"))));
        assertTrue(report.eventsRemoved() >= 3000, report.toString());
        assertTrue(fromCursor.size() < 3500 + 100, "the compaction overlapped the cursor's reading");
        eventually("appends after the compaction", () -> store.lastGlobalSequence() > 4000);
        stop.set(true);
        for (Thread th : appenders) {
            th.join();
        }
        assertEquals(null, appendFailure.get());
        long last = store.lastGlobalSequence();
        eventually("the cursor caught up", () -> cursor.first().position() == last);
        cursor.first().shutdown();
        await(cursor.second());
        live.first().cancel();

        List<StoredEvent> surviving = store.query(Region.all(), -1, Integer.MAX_VALUE);
        List<Long> delivered = new ArrayList<>();
        for (StoredEvent e : fromCursor) {
            delivered.add(e.globalSequence());
        }
        for (int i = 1; i < delivered.size(); i++) {
            assertTrue(delivered.get(i) > delivered.get(i - 1), "in order, once: " + delivered.get(i - 1) + " then "
                    + delivered.get(i));
        }
        Set<Long> deliveredSet = new HashSet<>(delivered);
        for (StoredEvent e : surviving) {
            assertTrue(deliveredSet.contains(e.globalSequence()), "surviving event " + e + " was delivered");
        }
        Set<Long> survivingSet = new HashSet<>();
        surviving.forEach(e -> survivingSet.add(e.globalSequence()));
        for (StoredEvent e : fromCursor) {
            assertTrue(survivingSet.contains(e.globalSequence()) || e.coordinate().entity().startsWith("old:"),
                    "only removed events may have been delivered beyond the survivors: " + e);
        }
        List<Long> subscribed = new ArrayList<>();
        fromSubscription.forEach(e -> subscribed.add(e.globalSequence()));
        assertTrue(subscribed.size() > 0);
        for (int i = 1; i < subscribed.size(); i++) {
            assertTrue(subscribed.get(i) > subscribed.get(i - 1));
        }
        assertTrue(store.verify().ok(), store.verify().toString());
    }

    @Test
    void aCursorResumingInsideARemovedRangeReportsItAndGoesOnAtTheNextSurvivor() {
        BatpakStore store = openSmall();
        fill(store, List.of("old:1", "old:2"), KIND, 400);
        fill(store, List.of("keep:1"), KIND, 50);
        CursorSettings settings = CursorSettings.checkpointId("view");
        Pair<CursorControl, CompletionStage<List<StoredEvent>>> first = BatpakStreams.cursor(store, Region.all(), settings)
                .take(100).toMat(Sink.seq(), Keep.both()).run(system);
        List<StoredEvent> read = await(first.second());
        await(first.first().commit(read.get(99).globalSequence()));
        await(first.first().whenStopped());

        await(store.compact(CompactionPlan.ERASE_ONLY.withRemoveIf(e -> e.coordinate().entity().startsWith("old:"))));

        Pair<CursorControl, CompletionStage<List<StoredEvent>>> resumed = BatpakStreams.cursor(store, Region.all(),
                settings.withCompleteAtHead(true)).toMat(Sink.seq(), Keep.both()).run(system);
        List<StoredEvent> rest = await(resumed.second());
        assertEquals(50, rest.size());
        assertEquals(400, rest.get(0).globalSequence());
        assertEquals(Optional.of(new RemovedRange(100, 399)), resumed.first().removedOnResume());
        assertEquals(399, store.removedThrough(99));

        // A cursor starting from the beginning resumes from no checkpoint: nothing to report.
        Pair<CursorControl, CompletionStage<List<StoredEvent>>> fresh = BatpakStreams.cursor(store,
                Region.entity("keep:1"), CursorSettings.defaults().withCompleteAtHead(true))
                .toMat(Sink.seq(), Keep.both()).run(system);
        assertEquals(50, await(fresh.second()).size());
        assertEquals(Optional.empty(), fresh.first().removedOnResume());
    }
}
