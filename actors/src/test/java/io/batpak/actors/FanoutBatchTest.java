package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import io.batpak.actors.internal.FanoutActor;
import org.junit.jupiter.api.Test;

/** The fan-out hands each listener one batch per turn, shared between listeners that take the same events. */
class FanoutBatchTest extends EmbeddedStoreTest {

    /** Records every batch it is handed; unbounded unless {@code limit} is set, then drops past it. */
    private static final class Recorder implements FeedListener {
        final List<List<StoredEvent>> batches = new CopyOnWriteArrayList<>();
        final List<String> log = new CopyOnWriteArrayList<>();
        final int limit;
        int taken;

        Recorder(int limit) {
            this.limit = limit;
        }

        long count() {
            return batches.stream().mapToLong(List::size).sum();
        }

        List<Long> sequences() {
            List<Long> out = new ArrayList<>();
            batches.forEach(b -> b.forEach(e -> out.add(e.globalSequence())));
            return out;
        }

        @Override
        public boolean hasCapacity() {
            return taken < limit;
        }

        @Override
        public int capacity() {
            return limit - taken;
        }

        @Override
        public boolean offer(StoredEvent event) {
            throw new AssertionError("batches only");
        }

        @Override
        public boolean offerAll(List<StoredEvent> events) {
            assertTrue(events.size() <= limit - taken, "at most the capacity");
            taken += events.size();
            batches.add(events);
            events.forEach(e -> log.add("take " + e.globalSequence()));
            return true;
        }

        @Override
        public boolean overflow(long globalSequence) {
            log.add("drop " + globalSequence);
            return true;
        }

        @Override
        public void closed(Throwable failure) {
        }
    }

    @Test
    void listenersOfTheSameEventsShareEachTurnsListAndCapacityIsHonouredInOrder() {
        BatpakStore store = open(StoreConfig.builder(dir).build());
        Recorder a = new Recorder(Integer.MAX_VALUE);
        Recorder b = new Recorder(Integer.MAX_VALUE);
        Recorder onlyX = new Recorder(Integer.MAX_VALUE);
        Recorder three = new Recorder(3);
        List<StoreFeed.Registration> regs = List.of(store.feed().subscribe(Region.all(), a),
                store.feed().subscribe(Region.all(), b), store.feed().subscribe(Region.entity("x"), onlyX),
                store.feed().subscribe(Region.all(), three));
        try {
            for (int round = 0; round < 5; round++) {
                List<AppendRequest> batch = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    batch.add(AppendRequest.of(Coordinate.of(i % 2 == 0 ? "x" : "y", "s"), KIND, new byte[] {(byte) i}));
                }
                await(store.appendBatch(batch));
            }
            TestSupport.eventually("every listener saw the 100 events", () -> a.count() == 100 && b.count() == 100
                    && onlyX.count() == 50 && three.log.size() == 100);
            List<Long> all = new ArrayList<>();
            for (long g = 0; g < 100; g++) {
                all.add(g);
            }
            assertEquals(all, a.sequences());
            assertEquals(all, b.sequences());
            assertEquals(a.batches.size(), b.batches.size());
            for (int i = 0; i < a.batches.size(); i++) {
                assertSame(a.batches.get(i), b.batches.get(i), "turn " + i + " is one shared list");
            }
            assertTrue(a.batches.size() < 100, "events arrive in batches: " + a.batches.size());
            assertThrows(UnsupportedOperationException.class, () -> a.batches.get(0).clear());
            assertEquals(all.stream().filter(g -> g % 2 == 0).toList(), onlyX.sequences());
            List<String> expected = new ArrayList<>(List.of("take 0", "take 1", "take 2"));
            for (long g = 3; g < 100; g++) {
                expected.add("drop " + g);
            }
            assertEquals(expected, three.log, "what fits is handed over before the first drop");
        } finally {
            regs.forEach(StoreFeed.Registration::cancel);
        }
    }

    @Test
    void oneTurnServesListenersOfOneRegionThatStartedLaterOrHaveLessRoomAndOtherRegionsOnTheirOwn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean armed = new AtomicBoolean();
        BatpakStore store = BatpakStore.openWithFaults(StoreConfig.builder(dir).build(), system, (actor, message) -> {
            if (actor.equals("fanout") && message == FanoutActor.Drain.INSTANCE && armed.compareAndSet(true, false)) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        Recorder all = new Recorder(Integer.MAX_VALUE);
        Recorder small = new Recorder(3);
        Recorder late = new Recorder(Integer.MAX_VALUE);
        Region xFirst = Region.entity("x").withSequenceRange(1, 3);
        Recorder bounded = new Recorder(Integer.MAX_VALUE);
        Recorder onlyY = new Recorder(Integer.MAX_VALUE);
        List<StoreFeed.Registration> regs = new ArrayList<>(List.of(store.feed().subscribe(Region.all(), all),
                store.feed().subscribe(Region.all(), small), store.feed().subscribe(xFirst, bounded),
                store.feed().subscribe(Region.entity("y"), onlyY)));
        try {
            // The fan-out is held at its first signal, so both batches below are delivered in one turn.
            armed.set(true);
            await(store.appendBatch(batchOf(0)));
            regs.add(store.feed().subscribe(Region.all(), late));
            await(store.appendBatch(batchOf(10)));
            release.countDown();
            TestSupport.eventually("every listener saw the 20 events", () -> all.count() == 20
                    && small.log.size() == 20 && late.count() == 10 && onlyY.count() == 10 && bounded.count() == 3);

            List<StoredEvent> events = new ArrayList<>();
            all.batches.forEach(events::addAll);
            assertEquals(1, all.batches.size(), "one turn");
            assertEquals(range(0, 20), all.sequences());
            assertEquals(range(10, 20), late.sequences(), "events before its registration are skipped");
            assertEquals(1, late.batches.size());
            List<String> expectedSmall = new ArrayList<>(List.of("take 0", "take 1", "take 2"));
            for (long g = 3; g < 20; g++) {
                expectedSmall.add("drop " + g);
            }
            assertEquals(expectedSmall, small.log);
            assertEquals(events.stream().filter(xFirst::matches).map(StoredEvent::globalSequence).toList(),
                    bounded.sequences(), "a sequence range is matched on each event's entity sequence");
            assertEquals(events.stream().filter(e -> e.coordinate().entity().equals("y"))
                    .map(StoredEvent::globalSequence).toList(), onlyY.sequences());
        } finally {
            regs.forEach(StoreFeed.Registration::cancel);
            store.closeAsync().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private static List<AppendRequest> batchOf(int first) {
        List<AppendRequest> batch = new ArrayList<>();
        for (int i = first; i < first + 10; i++) {
            batch.add(AppendRequest.of(Coordinate.of(i % 2 == 0 ? "x" : "y", "s"), KIND, new byte[] {(byte) i}));
        }
        return batch;
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long g = from; g < to; g++) {
            out.add(g);
        }
        return out;
    }
}
