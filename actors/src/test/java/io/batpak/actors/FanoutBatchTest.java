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
}
